import asyncio

# asyncio rule: cancelling a task that awaits another task forwards the cancel to the awaited
# task; if that task swallows it and returns, the awaiting task gets the value and is NOT cancelled.


def yes_no(b):
    return "yes" if b else "no"


async def inner():
    try:
        await asyncio.sleep(0.3)
    except asyncio.CancelledError:
        print("inner swallowed the cancel")
    return "inner value"


async def outer(t):
    v = await t
    print(f"outer got {v}")
    await asyncio.sleep(0.05)
    print("outer finished normally")
    return "outer value"


async def main():
    ti = asyncio.create_task(inner())
    to = asyncio.create_task(outer(ti))
    await asyncio.sleep(0.05)
    print("cancel returned", yes_no(to.cancel()))
    r = await to
    print(f"main got {r}")
    print("outer cancelled:", yes_no(to.cancelled()))
    print("inner cancelled:", yes_no(ti.cancelled()))


asyncio.run(main())
