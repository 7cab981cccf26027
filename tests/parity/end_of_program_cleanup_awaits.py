import asyncio

# End-of-program cancellation runs a pending task until it really ends, including awaits
# in its cleanup code.


async def background():
    try:
        print("background working")
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("background cancelled, cleaning up")
        await asyncio.sleep(0.05)
        print("cleanup step 1 done")
        await asyncio.sleep(0)
        print("cleanup step 2 done")
        raise
    finally:
        print("background finally")


async def main():
    asyncio.create_task(background())
    await asyncio.sleep(0.05)
    print("main returns")


asyncio.run(main())
