import asyncio

# group { ... } (Python: TaskGroup) waits for every task spawned inside it, including
# tasks spawned in a loop inside the block.


async def fetch(n, d):
    print(f"fetch {n} start")
    await asyncio.sleep(d)
    print(f"fetch {n} done")
    return n * 10


async def main():
    t1 = None
    t2 = None
    t3 = None
    async with asyncio.TaskGroup() as tg:
        t1 = tg.create_task(fetch(1, 0.15))
        t2 = tg.create_task(fetch(2, 0.05))
        t3 = tg.create_task(fetch(3, 0.1))
        print("group body done")
    print("after first group")
    print(t1.result(), t2.result(), t3.result())
    results = []
    async with asyncio.TaskGroup() as tg:
        for n in range(4, 7):
            results.append(tg.create_task(fetch(n, 0.05 * (7 - n))))
    total = 0
    for t in results:
        total += t.result()
    print(f"after second group, total {total}")


asyncio.run(main())
