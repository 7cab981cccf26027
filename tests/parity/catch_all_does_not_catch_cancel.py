import asyncio

# A catch-all handler (except Exception / catch e) does not catch cancellation.


async def worker():
    try:
        try:
            await asyncio.sleep(0.3)
        except Exception as e:
            print("generic handler caught it (wrong)")
        print("after inner try (wrong)")
    finally:
        print("worker finally")


async def main():
    t = asyncio.create_task(worker())
    await asyncio.sleep(0.05)
    t.cancel()
    try:
        await t
    except Exception as e:
        print("main generic handler (wrong)")
    except asyncio.CancelledError:
        print("main: worker was cancelled")
    try:
        raise ValueError("plain error")
    except Exception as e:
        print(f"generic handler catches {type(e).__name__}: {e}")


asyncio.run(main())
