import asyncio

# gather returns results in argument order, whatever order the children finish in.


async def fetch(name, d):
    print(f"{name} start")
    await asyncio.sleep(d)
    print(f"{name} finish")
    return name.upper()


async def main():
    pre = asyncio.create_task(fetch("pre", 0.1))
    results = await asyncio.gather(fetch("x", 0.15), pre, fetch("y", 0.05))
    print(f"{len(results)} results")
    for r in results:
        print(r)


asyncio.run(main())
