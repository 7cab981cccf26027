import asyncio

# When the first awaitable to finish throws, race rethrows that error after
# cancelling the others (whose cleanup runs first).


async def race(*coros):
    tasks = [asyncio.create_task(c) for c in coros]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for t in tasks:
        if not t.done():
            t.cancel()
    for t in tasks:
        if t not in done:
            try:
                await t
            except asyncio.CancelledError:
                pass
    for t in tasks:
        if t in done:
            return t.result()


async def fetch(name, d):
    try:
        await asyncio.sleep(d)
        return name
    finally:
        print(f"{name} cleanup")


async def bad(d):
    await asyncio.sleep(d)
    print("bad throws")
    raise ValueError("bad luck")


async def main():
    try:
        await race(fetch("slow", 0.2), bad(0.05))
    except ValueError as e:
        print("race threw", e)
    print("winner:", await race(fetch("x", 0.1), fetch("y", 0.05)))


asyncio.run(main())
