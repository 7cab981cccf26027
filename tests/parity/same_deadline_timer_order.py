import asyncio

# Timers due at the same instant fire in the order they were set, not in spawn order.


async def sleeper(name, pre_yields):
    for _ in range(pre_yields):
        await asyncio.sleep(0)
    print(f"{name} sets timer")
    await asyncio.sleep(0.1)
    print(f"{name} woke")


async def main():
    a = asyncio.create_task(sleeper("A", 2))
    b = asyncio.create_task(sleeper("B", 0))
    c = asyncio.create_task(sleeper("C", 1))
    await asyncio.sleep(0.2)
    print("main woke")
    await a
    await b
    await c


asyncio.run(main())
