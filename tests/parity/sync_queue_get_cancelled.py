import asyncio

# A cancelled getter gives up its place: the next item goes to the next live getter.


async def getter(name, q):
    try:
        v = await q.get()
        print(f"{name} got {v}")
        return v
    except asyncio.CancelledError:
        print(f"{name} cancelled while waiting")
        raise


async def main():
    q = asyncio.Queue()
    g1 = asyncio.create_task(getter("g1", q))
    g2 = asyncio.create_task(getter("g2", q))
    g3 = asyncio.create_task(getter("g3", q))
    await asyncio.sleep(0)
    g1.cancel()
    q.put_nowait("first")
    await asyncio.sleep(0)
    q.put_nowait("second")
    print(await g2)
    print(await g3)
    try:
        await g1
    except asyncio.CancelledError:
        print("g1 ended cancelled")
    print(f"left in queue {q.qsize()}")


asyncio.run(main())
