import asyncio

# A task awaiting a pending task resumes one round after that task finishes
# (the wake-up goes through the ready queue).


async def spinner():
    for i in range(5):
        print(f"spin {i}")
        await asyncio.sleep(0)


async def job():
    print("job start")
    await asyncio.sleep(0)
    print("job end")
    return "ok"


async def main():
    s = asyncio.create_task(spinner())
    t = asyncio.create_task(job())
    r = await t
    print(f"main got {r}")
    await asyncio.sleep(0)
    print("main after yield")
    await s
    print("main end")


asyncio.run(main())
