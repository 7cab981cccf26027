import asyncio

# An error escaping main still cancels pending tasks (their finally runs), and the
# program exits with status 1.


async def background():
    try:
        print("background waiting")
        await asyncio.sleep(1)
    finally:
        print("background finally")


async def main():
    asyncio.create_task(background())
    await asyncio.sleep(0.05)
    print("main about to fail")
    raise ValueError("main failed")


asyncio.run(main())
