import asyncio

# PriorityQueue pops the smallest item (heapq's order, ties included);
# LifoQueue pops the newest; getters wait on both as on Queue.


async def consumer(q, name, n):
    for _ in range(n):
        item = await q.get()
        print(name, "got", item)


async def main():
    pq = asyncio.PriorityQueue()
    for item in [[5, "e"], [1, "a"], [3, "c"], [1, "b"], [4, "d"], [2, "x"], [2, "y"], [0, "z"]]:
        pq.put_nowait(item)
    out = []
    while not pq.empty():
        out.append(pq.get_nowait())
    print(str(out == sorted(out)).lower(), " ".join(i[1] for i in out))
    heap = asyncio.PriorityQueue()
    for n in [9, 3, 7, 3, 1, 8, 2, 2, 6]:
        heap.put_nowait(n)
    print(" ".join(str(heap.get_nowait()) for _ in range(heap.qsize())))
    lq = asyncio.LifoQueue(2)
    c = asyncio.create_task(consumer(lq, "lifo", 4))
    await lq.put(1)
    await lq.put(2)
    await lq.put(3)
    await lq.put(4)
    await c
    pq2 = asyncio.PriorityQueue(maxsize=1)
    c = asyncio.create_task(consumer(pq2, "prio", 3))
    for n in [3, 1, 2]:
        await pq2.put(n)
        print("put", n)
    await c
    try:
        lq.get_nowait()
    except asyncio.QueueEmpty:
        print("lifo empty")


asyncio.run(main())
