import asyncio

# A task that catches CancelledError and rethrows it ends cancelled; code after the handler is skipped.


def yes_no(b):
    return "yes" if b else "no"


async def worker():
    try:
        await asyncio.sleep(0.3)
    except asyncio.CancelledError as e:
        print("worker caught cancel, rethrowing")
        raise e
    print("after handler (wrong)")


async def main():
    t = asyncio.create_task(worker())
    await asyncio.sleep(0.05)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("main: worker cancelled")
    print("cancelled:", yes_no(t.cancelled()))


asyncio.run(main())
