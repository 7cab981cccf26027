import asyncio

# Cancelling a task that awaits a gather cancels every child of the gather.


def yes_no(b):
    return "yes" if b else "no"


async def child(name, d):
    try:
        print(f"{name} sleeping")
        await asyncio.sleep(d)
        print(f"{name} finished (wrong)")
    finally:
        print(f"{name} finally")


async def parent():
    try:
        await asyncio.gather(child("a", 0.3), child("b", 0.4))
        print("gather returned (wrong)")
    finally:
        print("parent finally")


async def main():
    p = asyncio.create_task(parent())
    await asyncio.sleep(0.05)
    print("main cancels parent")
    p.cancel()
    try:
        await p
    except asyncio.CancelledError:
        print("main: parent cancelled")
    print("parent cancelled:", yes_no(p.cancelled()))


asyncio.run(main())
