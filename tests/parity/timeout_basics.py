import asyncio

# asyncio.timeout / timeout_at: expiry cancels the body and the block raises
# TimeoutError at its end; None never expires; reschedule, when, expired;
# a body that swallows the cancellation ends normally; a deadline already
# past expires at the next loop iteration.


def b(x):
    return str(x).lower()


async def main():
    loop = asyncio.get_running_loop()

    try:
        async with asyncio.timeout(0.1) as cm:
            try:
                await asyncio.sleep(1)
            finally:
                print("body cleanup")
        print("not reached")
    except TimeoutError:
        print("timed out, expired", b(cm.expired()))

    async with asyncio.timeout(0.5) as cm:
        await asyncio.sleep(0.1)
    print("in time, expired", b(cm.expired()))

    async with asyncio.timeout(None) as cm:
        await asyncio.sleep(0.2)
        print("no deadline", "nil" if cm.when() is None else cm.when())
    print("expired", b(cm.expired()))

    try:
        async with asyncio.timeout(0.1) as cm:
            cm.reschedule(loop.time() + 0.3)
            await asyncio.sleep(0.2)
            print("still running")
            cm.reschedule(None)
            await asyncio.sleep(0.3)
            print("unlimited now")
            cm.reschedule(loop.time() + 0.1)
            await asyncio.sleep(1)
    except TimeoutError:
        print("rescheduled timeout")
    try:
        cm.reschedule(None)
    except RuntimeError as e:
        print("RuntimeError:", e)

    try:
        async with asyncio.timeout_at(loop.time() + 0.2):
            await asyncio.sleep(1)
    except TimeoutError:
        print("timeout_at fired")

    async with asyncio.timeout(0.1) as cm:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("body swallowed the cancellation")
    print("ends normally, expired", b(cm.expired()))

    order = []

    async def other():
        order.append("other ran")

    try:
        async with asyncio.timeout(-1):
            asyncio.create_task(other())
            order.append("body runs")
            await asyncio.sleep(0)
            order.append("not reached")
    except TimeoutError:
        order.append("past deadline")
    print("[" + ", ".join(repr(o).replace(chr(39), chr(34)) for o in order) + "]")

    try:
        async with asyncio.timeout(0.1):
            await asyncio.sleep(0.5)
    except asyncio.TimeoutError as e:
        print("caught as", type(e).__name__)


asyncio.run(main())
