import asyncio

# Getters waiting on an empty queue are served first-come first-served; put_nowait does not yield.


async def getter(name, q):
    print(f"{name} waits")
    v = await q.get()
    print(f"{name} got {v}")
    return v


async def main():
    q = asyncio.Queue()
    ts = []
    for name in ["g1", "g2", "g3"]:
        ts.append(asyncio.create_task(getter(name, q)))
    await asyncio.sleep(0)
    for v in range(3):
        q.put_nowait(v * 10)
    print(f"size after puts {q.qsize()}")
    await asyncio.sleep(0)
    print(f"size after one round {q.qsize()}")
    total = 0
    for t in ts:
        total += await t
    print(f"total {total}")
    await q.put("x")
    await q.put("y")
    a = await q.get()
    b = await q.get()
    print(f"fifo items {a} {b}")


asyncio.run(main())
