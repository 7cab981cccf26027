import asyncio

# A bounded queue blocks put while full; producer and consumer interleave accordingly.


async def producer(q, n):
    for i in range(n):
        print(f"put {i} (size {q.qsize()}, full {'yes' if q.full() else 'no'})")
        await q.put(i)
    print("producer done")


async def consumer(q, n):
    for _ in range(n):
        v = await q.get()
        print(f"got {v}")
        await asyncio.sleep(0)
    print("consumer done")


async def main():
    q = asyncio.Queue(2)
    p = asyncio.create_task(producer(q, 5))
    c = asyncio.create_task(consumer(q, 5))
    await p
    await c
    print(f"final size {q.qsize()}")


asyncio.run(main())
