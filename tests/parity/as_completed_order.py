import asyncio

# as_completed hands out results in completion order, through the same
# callbacks and queue as asyncio (so interleaved tasks print at the same
# points); an error comes out of the await that takes it.


async def quick(n, name, fail=False):
    for _ in range(n):
        await asyncio.sleep(0)
    print("finish", name)
    if fail:
        raise ValueError(name)
    return name


async def ticker(n):
    for i in range(n):
        print("tick", i)
        await asyncio.sleep(0)


async def main():
    t = asyncio.create_task(ticker(12))
    a = asyncio.create_task(quick(4, "four"))
    b = asyncio.create_task(quick(1, "one"))
    c = asyncio.create_task(quick(2, "two", fail=True))
    for aw in asyncio.as_completed([a, b, c]):
        try:
            print("got", await aw)
        except ValueError as e:
            print("failed", e)
    print("-- a done future and a pending one")
    f = asyncio.get_running_loop().create_future()
    f.set_result("ready")
    d = asyncio.create_task(quick(2, "later"))
    for aw in asyncio.as_completed([d, f, d]):
        print("got", await aw)
    print("-- several awaited at once")
    e1 = asyncio.create_task(quick(3, "e1"))
    e2 = asyncio.create_task(quick(1, "e2"))
    aws = list(asyncio.as_completed([e1, e2]))
    print("results", "|".join(await asyncio.gather(*aws)))
    print("-- none")
    print(len(list(asyncio.as_completed([]))))
    await t


asyncio.run(main())
