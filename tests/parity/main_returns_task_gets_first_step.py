import asyncio

# A task spawned just before main returns still gets its first step (it was ready before
# main finished), and is then cancelled at its first await.


async def late():
    print("late first step")
    try:
        await asyncio.sleep(1)
        print("late woke (wrong)")
    finally:
        print("late finally")


async def main():
    asyncio.create_task(late())
    print("main returns immediately")


asyncio.run(main())
