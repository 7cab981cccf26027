import asyncio

# map_concurrent(f, items, limit: n) starts items as the hand-written
# semaphore version does: the first n at once, then the next one in the
# iteration after a slot frees. Results come back in input order; the first
# error cancels the running ones and is raised; return_errors collects.


async def map_concurrent(f, items, limit, return_errors=False):
    sem = asyncio.Semaphore(limit)

    async def run(x):
        async with sem:
            return await f(x)

    if return_errors:
        return await asyncio.gather(*(run(x) for x in items), return_exceptions=True)
    async with asyncio.TaskGroup() as tg:
        ts = [tg.create_task(run(x)) for x in items]
    return [t.result() for t in ts]


async def work(x):
    print("start", x)
    await asyncio.sleep(0.1 * (x % 3) + 0.01 * x)
    print("end", x)
    return x * 10


async def ticks(n):
    for i in range(n):
        print("tick", i)
        await asyncio.sleep(0)


async def fails(x):
    print("start", x)
    try:
        await asyncio.sleep(0.5 if x != 1 else 0.1)
    except asyncio.CancelledError:
        print("cancelled", x)
        raise
    if x == 1:
        raise ValueError(f"bad {x}")
    return x


async def main():
    t = asyncio.ensure_future(ticks(4))
    print(await map_concurrent(work, range(6), limit=2))
    await t
    print(await map_concurrent(work, [5, 4, 3], limit=5))
    try:
        await map_concurrent(fails, range(2), limit=2)
    except* ValueError as eg:
        print("caught", eg.exceptions[0])
    got = await map_concurrent(fails, range(3), limit=1, return_errors=True)
    print(got[0], type(got[1]).__name__, got[1], got[2])


asyncio.run(main())
