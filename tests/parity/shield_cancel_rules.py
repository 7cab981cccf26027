import asyncio

# shield(aw): cancelling the awaiting task raises CancelledError there but
# leaves the inner task running; cancelling the inner task cancels the
# outer; errors and results pass through; a done awaitable is returned as
# it is.


async def work(name, secs, fail=False):
    try:
        await asyncio.sleep(secs)
    except asyncio.CancelledError:
        print(name, "inner was cancelled")
        raise
    if fail:
        raise ValueError(name + " failed")
    print(name, "inner finished")
    return name + " result"


async def waiter(aw):
    try:
        r = await asyncio.shield(aw)
        print("waiter got", r)
    except asyncio.CancelledError:
        print("waiter cancelled")
        raise


async def main():
    inner = asyncio.create_task(work("a", 0.2))
    w = asyncio.create_task(waiter(inner))
    await asyncio.sleep(0.1)
    w.cancel()
    try:
        await w
    except asyncio.CancelledError:
        print("outer task cancelled; inner done?", str(inner.done()).lower())
    print("inner still gives", await inner)

    inner = asyncio.create_task(work("b", 0.2))
    w = asyncio.create_task(waiter(inner))
    await asyncio.sleep(0.1)
    inner.cancel()
    try:
        await w
    except asyncio.CancelledError:
        print("cancelling the inner cancels the shield")

    try:
        await asyncio.shield(work("c", 0.1, fail=True))
    except ValueError as e:
        print("error passes through:", e)

    print(await asyncio.shield(work("d", 0.1)))

    done = asyncio.create_task(work("e", 0))
    await asyncio.sleep(0.05)
    print("done task is returned as is:", str(asyncio.shield(done) is done).lower())

    inner = asyncio.create_task(work("f", 0.2))
    outer = asyncio.shield(inner)
    outer.cancel()
    print("outer cancelled:", str(outer.cancelled()).lower(), "inner cancelled:", str(inner.cancelled()).lower())
    print(await inner)


asyncio.run(main())
