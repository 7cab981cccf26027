import asyncio

# wait_for with no timeout awaits its argument inline (3.11: `return await fut`):
# no task is made, so no loop turn passes before the coroutine starts.


async def ticker():
    for i in range(6):
        print("tick", i)
        await asyncio.sleep(0)


async def work(n):
    print("work", n)
    return n * 2


async def work_yields(n):
    print("work_yields starts", n)
    await asyncio.sleep(0)
    print("work_yields ends", n)
    return n * 3


async def main():
    t = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    r = await asyncio.wait_for(work(1), None)
    print("got", r)
    r = await asyncio.wait_for(work_yields(2), None)
    print("got", r)
    done = asyncio.create_task(work(3))
    await asyncio.sleep(0)
    r = await asyncio.wait_for(done, None)
    print("got", r)
    r = await asyncio.wait_for(asyncio.sleep(0, "slept"), None)
    print("got", r)
    await t


asyncio.run(main())
