import asyncio

# When main returns, a task still sleeping is cancelled and its finally runs before exit.


async def background():
    print("background start")
    try:
        await asyncio.sleep(1)
        print("background woke (wrong)")
    finally:
        print("background finally")


async def main():
    asyncio.create_task(background())
    await asyncio.sleep(0.05)
    print("main returns")


asyncio.run(main())
