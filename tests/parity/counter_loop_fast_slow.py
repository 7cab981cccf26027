import asyncio

# The classic puzzle: a fast and a slow counter spawned together interleave by their deadlines.


async def counter(name, n, delay):
    for i in range(n):
        print(f"Counter {name}: {i}")
        await asyncio.sleep(delay)
    print(f"Counter {name} done")
    return n


async def main():
    fast = asyncio.create_task(counter("fast", 4, 0.1))
    slow = asyncio.create_task(counter("slow", 2, 0.25))
    print("both started")
    a = await fast
    print(f"fast returned {a}")
    b = await slow
    print(f"slow returned {b}")


asyncio.run(main())
