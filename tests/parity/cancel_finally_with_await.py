import asyncio

# Cleanup code in finally may await after a cancel; whoever awaits the task waits for the cleanup.


async def worker():
    try:
        print("worker running")
        await asyncio.sleep(0.3)
    finally:
        print("cleanup begins")
        await asyncio.sleep(0.05)
        print("cleanup ends")


async def ticker():
    for i in range(3):
        await asyncio.sleep(0.1)
        print(f"tick {i}")


async def main():
    t = asyncio.create_task(worker())
    await asyncio.sleep(0.075)
    tk = asyncio.create_task(ticker())
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("main: worker cancelled after cleanup")
    await tk
    print("end")


asyncio.run(main())
