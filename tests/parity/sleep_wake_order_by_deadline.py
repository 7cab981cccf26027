import asyncio

# Sleepers wake in deadline order regardless of spawn order.


async def sleeper(name, delay):
    print(f"{name} sleeps {delay}")
    await asyncio.sleep(delay)
    print(f"{name} woke")
    return name


async def main():
    ts = [
        asyncio.create_task(sleeper("slow", 0.15)),
        asyncio.create_task(sleeper("fast", 0.05)),
        asyncio.create_task(sleeper("mid", 0.1)),
    ]
    for t in ts:
        r = await t
        print(f"awaited {r}")


asyncio.run(main())
