import asyncio

# wait_for returns the result when the awaitable finishes before the timeout.


async def work(v):
    print("work start")
    await asyncio.sleep(0.05)
    print("work end")
    return v * 3


async def main():
    r = await asyncio.wait_for(work(33), 0.3)
    print(f"result {r}")
    t = asyncio.create_task(work(5))
    r2 = await asyncio.wait_for(t, 0.3)
    print(f"task result {r2}")
    print("task done:", "yes" if t.done() else "no")


asyncio.run(main())
