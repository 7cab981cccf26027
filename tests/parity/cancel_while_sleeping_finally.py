import asyncio

# Cancelling a sleeping task throws CancelledError at its await; finally blocks run.


def yes_no(b):
    return "yes" if b else "no"


async def sleeper():
    print("sleeper start")
    try:
        await asyncio.sleep(0.3)
        print("sleeper woke (wrong)")
    finally:
        print("sleeper finally")
    print("after finally (wrong)")


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0.05)
    print("main cancels")
    t.cancel()
    print("done right after cancel:", yes_no(t.done()))
    try:
        await t
    except asyncio.CancelledError:
        print("main saw CancelledError")
    print("cancelled:", yes_no(t.cancelled()))


asyncio.run(main())
