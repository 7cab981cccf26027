import asyncio

# Cancelling a task that awaits another task cancels the awaited task too; inner finally runs first.


def yes_no(b):
    return "yes" if b else "no"


async def inner():
    try:
        print("inner waiting")
        await asyncio.sleep(0.3)
        print("inner woke (wrong)")
    finally:
        print("inner finally")


async def outer(t):
    try:
        print("outer awaiting inner")
        await t
        print("outer resumed (wrong)")
    finally:
        print("outer finally")


async def main():
    ti = asyncio.create_task(inner())
    to = asyncio.create_task(outer(ti))
    await asyncio.sleep(0.05)
    print("main cancels outer")
    to.cancel()
    try:
        await to
    except asyncio.CancelledError:
        print("main: outer cancelled")
    print("inner cancelled:", yes_no(ti.cancelled()))
    print("outer cancelled:", yes_no(to.cancelled()))


asyncio.run(main())
