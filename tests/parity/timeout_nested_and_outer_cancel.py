import asyncio

# Nested timeouts: the one that expired raises TimeoutError, the other sees
# a plain CancelledError pass or nothing at all. A cancellation from outside
# propagates as CancelledError, also when it arrives after the timeout
# expired (uncancel counting).


def b(x):
    return str(x).lower()


async def inner_expires():
    async with asyncio.timeout(0.5) as outer:
        try:
            async with asyncio.timeout(0.1) as inner:
                await asyncio.sleep(1)
        except TimeoutError:
            print("inner timed out:", b(inner.expired()), b(outer.expired()))
        await asyncio.sleep(0.1)
        print("outer body goes on")
    print("outer done, expired:", b(outer.expired()))


async def outer_expires():
    try:
        async with asyncio.timeout(0.1) as outer:
            try:
                async with asyncio.timeout(0.5) as inner:
                    await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("inner block let the cancellation through:", b(inner.expired()))
                raise
    except TimeoutError:
        print("outer timed out:", b(outer.expired()))


async def cancelled_from_outside(cm_box):
    async with asyncio.timeout(1) as cm:
        cm_box.append(cm)
        await asyncio.sleep(5)


async def late_outer_cancel():
    async with asyncio.timeout(0.1):
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("cleanup after the timeout")
            await asyncio.sleep(0.2)
            print("not reached")


async def main():
    await inner_expires()
    await outer_expires()

    box = []
    t = asyncio.create_task(cancelled_from_outside(box))
    await asyncio.sleep(0.1)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("outside cancel propagates, expired:", b(box[0].expired()))

    t = asyncio.create_task(late_outer_cancel())
    await asyncio.sleep(0.2)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("late outside cancel propagates as CancelledError")
    except TimeoutError:
        print("wrongly turned into TimeoutError")


asyncio.run(main())
