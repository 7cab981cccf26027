import asyncio

# Several tasks awaiting one task all get its result, resumed in the order they started waiting.


async def producer():
    print("producer working")
    await asyncio.sleep(0.05)
    print("producer done")
    return "payload"


async def waiter(name, t):
    print(f"{name} waits")
    v = await t
    print(f"{name} got {v}")


async def main():
    p = asyncio.create_task(producer())
    w1 = asyncio.create_task(waiter("w1", p))
    w2 = asyncio.create_task(waiter("w2", p))
    await asyncio.sleep(0)
    w3 = asyncio.create_task(waiter("w3", p))
    v = await p
    print(f"main got {v}")
    await w1
    await w2
    await w3
    print("all waiters done")


asyncio.run(main())
