import asyncio

# Tasks spawned by tasks join the back of the ready queue behind already-ready tasks.


async def leaf(name):
    print(f"leaf {name} start")
    await asyncio.sleep(0)
    print(f"leaf {name} end")
    return name


async def parent(name):
    print(f"parent {name} start")
    t1 = asyncio.create_task(leaf(name + ".1"))
    t2 = asyncio.create_task(leaf(name + ".2"))
    print(f"parent {name} spawned")
    r1 = await t1
    r2 = await t2
    print(f"parent {name} got {r1} {r2}")
    return name


async def main():
    p = asyncio.create_task(parent("p"))
    q = asyncio.create_task(parent("q"))
    print("main spawned parents")
    rp = await p
    print(f"main got {rp}")
    rq = await q
    print(f"main got {rq}")


asyncio.run(main())
