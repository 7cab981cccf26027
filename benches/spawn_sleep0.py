# W1 twin of spawn_sleep0.tasks
import asyncio
import sys


async def work(i):
    await asyncio.sleep(0)
    return i


async def main():
    n = int(sys.argv[1])
    ts = []
    for i in range(n):
        ts.append(asyncio.create_task(work(i)))
    total = 0
    for t in ts:
        total += await t
    print(f"spawn_sleep0 n={n} sum={total}")


asyncio.run(main())
