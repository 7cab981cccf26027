import asyncio

# asyncio.sleep(delay, result) returns result, for 0 and positive delays.


async def main():
    print(await asyncio.sleep(0, "zero"))
    print(sum(await asyncio.sleep(0.1, [1, 2])))
    print(repr(await asyncio.sleep(0.1)).lower().replace("none", "nil"))
    t = asyncio.create_task(asyncio.sleep(0.1, 42))
    print(await t)


asyncio.run(main())
