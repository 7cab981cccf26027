import asyncio

# sleep(0) yields exactly one round; tasks with different loop lengths interleave round by round.


async def ping(name, n):
    for i in range(n):
        print(f"{name} {i}")
        await asyncio.sleep(0)
    print(f"{name} finished")


async def main():
    a = asyncio.create_task(ping("a", 3))
    b = asyncio.create_task(ping("b", 1))
    c = asyncio.create_task(ping("c", 2))
    await a
    print("a awaited")
    await b
    await c
    print("all awaited")


asyncio.run(main())
