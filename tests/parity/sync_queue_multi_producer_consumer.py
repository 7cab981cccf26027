import asyncio


async def producer(name, q, items, delay):
    for i in range(items):
        await q.put(f"{name}{i}")
        print(f"{name} put {name}{i} (size {q.qsize()})")
        await asyncio.sleep(delay)


async def consumer(name, q, count, delay):
    got = []
    for _ in range(count):
        item = await q.get()
        print(f"{name} got {item}")
        got.append(item)
        await asyncio.sleep(delay)
    return got


async def main():
    q = asyncio.Queue(2)
    producers = [
        asyncio.create_task(producer("a", q, 4, 0)),
        asyncio.create_task(producer("b", q, 4, 0.05)),
        asyncio.create_task(producer("c", q, 2, 0)),
    ]
    consumers = [
        asyncio.create_task(consumer("x", q, 5, 0.1)),
        asyncio.create_task(consumer("y", q, 5, 0)),
    ]
    for p in producers:
        await p
    results = await asyncio.gather(*consumers)
    print("x:", " ".join(results[0]))
    print("y:", " ".join(results[1]))


asyncio.run(main())
