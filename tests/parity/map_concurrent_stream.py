import asyncio
from contextlib import aclosing


async def stream(f, items, limit, return_errors=False):
    # The semaphore-bound calls, read with as_completed; whatever is still
    # running (or waiting for a slot) is cancelled when the reading ends.
    slots = asyncio.Semaphore(limit)

    async def one(x):
        async with slots:
            r = f(x)
            return await r if asyncio.iscoroutine(r) else r

    tasks = [asyncio.ensure_future(one(x)) for x in items]
    try:
        for fut in asyncio.as_completed(tasks):
            try:
                r = await fut
            except Exception as e:
                if not return_errors:
                    raise
                r = e
            yield r
    finally:
        for t in tasks:
            t.cancel()


async def work(x):
    print("start", x)
    try:
        await asyncio.sleep([0.4, 0.1, 0.6, 0.1, 0.1, 0.2][x])
    except asyncio.CancelledError:
        print("cancelled", x)
        raise
    if x == 4:
        raise ValueError("four is bad")
    print("end", x)
    return x * 10


async def main():
    async with aclosing(stream(work, range(4), 2)) as s:
        async for r in s:
            print("got", r)
    print("--")
    try:
        async with aclosing(stream(work, range(6), 3)) as s:
            async for r in s:
                print("got", r)
    except ValueError as e:
        print("caught", e)
    await asyncio.sleep(1)
    print("--")
    async with aclosing(stream(work, range(6), 3)) as s:
        async for r in s:
            print("got", r)
            if r == 30:
                break
    await asyncio.sleep(1)
    print("--")
    async with aclosing(stream(work, range(6), 2, return_errors=True)) as s:
        async for r in s:
            print("got", r)
    async with aclosing(stream(lambda x: x + 1, [1, 2], 1)) as s:
        async for r in s:
            print("plain", r)
    async with aclosing(stream(work, [], 1)) as s:
        async for r in s:
            print("never", r)
    print("done")


asyncio.run(main())
