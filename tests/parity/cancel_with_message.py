import asyncio

# t.cancel(msg): the CancelledError seen inside the task carries the message.


async def worker():
    try:
        await asyncio.sleep(0.3)
    except asyncio.CancelledError as e:
        print(f"worker cancelled with message: {e}")
        print(f"kind {type(e).__name__}")
        raise


async def main():
    t = asyncio.create_task(worker())
    await asyncio.sleep(0.05)
    t.cancel("shutting down")
    try:
        await t
    except asyncio.CancelledError:
        print("main: worker cancelled")


asyncio.run(main())
