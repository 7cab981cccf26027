import asyncio

# Tasks can be renamed with set_name and report it with name() (Python: get_name()).


async def worker(n):
    await asyncio.sleep(0)
    return n


async def main():
    ts = []
    for n in range(3):
        t = asyncio.create_task(worker(n))
        t.set_name(f"worker-{n}")
        ts.append(t)
    for t in ts:
        print(t.get_name())
    ts[1].set_name("renamed")
    for t in ts:
        r = await t
        print(f"{t.get_name()} -> {r}")


asyncio.run(main())
