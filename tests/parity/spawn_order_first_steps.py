import asyncio

# Spawned tasks run in creation order; sleep(0) puts main at the back of the ready queue.


async def worker(name):
    print(f"{name} step 1")
    await asyncio.sleep(0)
    print(f"{name} step 2")


async def main():
    asyncio.create_task(worker("A"))
    asyncio.create_task(worker("B"))
    asyncio.create_task(worker("C"))
    print("main spawned three")
    await asyncio.sleep(0)
    print("main after sleep(0)")
    await asyncio.sleep(0)
    print("main after second sleep(0)")


asyncio.run(main())
