import asyncio

# Tasks ready when main finishes get exactly one more round; the cancellation then lands at the
# sleep(0) they were parked on.


async def looper(name):
    try:
        for i in range(10):
            print(f"{name} {i}")
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise
    finally:
        print(f"{name} finally")


async def main():
    asyncio.create_task(looper("x"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("main returns")


asyncio.run(main())
