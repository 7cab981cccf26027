import asyncio

# A task that explicitly catches CancelledError goes on running and finishes normally.


def yes_no(b):
    return "yes" if b else "no"


async def stubborn():
    try:
        await asyncio.sleep(0.3)
        print("stubborn woke (wrong)")
    except asyncio.CancelledError:
        print("stubborn caught cancel")
    await asyncio.sleep(0.05)
    print("stubborn continues")
    return "survived"


async def main():
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(0.05)
    t.cancel()
    print("cancel requested")
    r = await t
    print(f"result {r}")
    print("cancelled:", yes_no(t.cancelled()))
    print("done:", yes_no(t.done()))


asyncio.run(main())
