import asyncio

# gather given the same coroutine object twice wraps it in one task, runs it once,
# and repeats its result (or error) for each place it was given.

runs = 0


async def work(n):
    global runs
    runs += 1
    print("work", n, "runs")
    await asyncio.sleep(0)
    return n * 10


async def fail():
    await asyncio.sleep(0)
    raise ValueError("once")


async def main():
    c = work(1)
    print(await asyncio.gather(c, c))
    print("runs:", runs)
    c = work(2)
    d = work(3)
    print(await asyncio.gather(c, d, c, d, c))
    print("runs:", runs)
    f = fail()
    results = await asyncio.gather(f, work(4), f, return_exceptions=True)
    for r in results:
        print(type(r).__name__ if isinstance(r, Exception) else r)


asyncio.run(main())
