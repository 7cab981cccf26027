import asyncio

# Unlike awaiting a finished task, awaiting a gather of already-finished tasks still yields:
# the children's done callbacks go through the ready queue first.


async def quick(v):
    return v


async def spinner(n):
    for i in range(n):
        print(f"spin {i}")
        await asyncio.sleep(0)


async def main():
    a = asyncio.create_task(quick(1))
    b = asyncio.create_task(quick(2))
    await asyncio.sleep(0)
    print("both done:", "yes" if a.done() and b.done() else "no")
    s = asyncio.create_task(spinner(4))
    v = await a
    print(f"await done task gave {v} without yielding")
    r = await asyncio.gather(a, b)
    print(f"gather gave {r[0]} {r[1]}")
    await s
    print("end")


asyncio.run(main())
