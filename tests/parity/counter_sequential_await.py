import asyncio

# Awaiting coroutines one after another runs them sequentially (no concurrency without spawn).


async def counter(name, n, delay):
    for i in range(n):
        print(f"Counter {name}: {i}")
        await asyncio.sleep(delay)
    return name


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    a = await counter("a", 2, 0.05)
    b = await counter("b", 2, 0.05)
    print(f"finished {a} then {b}")
    elapsed = loop.time() - start
    print("took at least 0.2s:", "yes" if elapsed >= 0.19 else "no")


asyncio.run(main())
