# Twin of fanout.tasks.
import asyncio
import sys

n = int(sys.argv[1])
if n == 0:
    n = 100000


async def work(i):
    await asyncio.sleep(0)
    s = 0
    for k in range(10):
        s += (i * k) % 7
    return [s, f"w{i}"]


async def main():
    total = 0
    chars = 0
    i = 0
    while i < n:
        batch = [work(j) for j in range(i, min(i + 500, n))]
        for r in await asyncio.gather(*batch):
            total += r[0]
            chars += len(r[1])
        i += 500
    print(f"fanout n={n} total={total} chars={chars}")


asyncio.run(main())
