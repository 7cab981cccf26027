import asyncio

# Cancelling a task that is ready (parked on sleep(0), not waiting on anything) throws
# CancelledError at that sleep(0) when it next runs.


async def looper():
    i = 0
    try:
        while True:
            print(f"loop {i}")
            i += 1
            await asyncio.sleep(0)
    finally:
        print(f"looper finally after {i} iterations")


async def main():
    t = asyncio.create_task(looper())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("main cancels")
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("main: looper cancelled")


asyncio.run(main())
