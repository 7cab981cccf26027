import asyncio

# A chain of awaited coroutines shares one task: a sleep(0) deep inside yields the whole chain once.


async def level3():
    print("level3 start")
    await asyncio.sleep(0)
    print("level3 end")
    return 3


async def level2():
    print("level2 start")
    v = await level3()
    print("level2 end")
    return v + 20


async def level1():
    print("level1 start")
    v = await level2()
    print("level1 end")
    return v + 100


async def spinner():
    for i in range(3):
        print(f"spin {i}")
        await asyncio.sleep(0)


async def main():
    s = asyncio.create_task(spinner())
    v = await level1()
    print(f"result {v}")
    await s
    print("done")


asyncio.run(main())
