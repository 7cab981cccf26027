import asyncio

# Awaiting a task that is already done returns at once without yielding.


async def quick():
    return 7


async def noisy():
    print("noisy runs")


async def main():
    t = asyncio.create_task(quick())
    await asyncio.sleep(0)
    print("t done" if t.done() else "t pending")
    asyncio.create_task(noisy())
    v = await t
    print(f"got {v} before noisy")
    v2 = await t
    print(f"got {v2} again, still before noisy")
    await asyncio.sleep(0)
    print("end")


asyncio.run(main())
