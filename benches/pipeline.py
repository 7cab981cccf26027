# Twin of pipeline.tasks.
import asyncio
import sys

n = int(sys.argv[1])
if n == 0:
    n = 100000


async def produce(out):
    for i in range(n):
        await out.put({"id": i, "line": f"k{i % 13}:{i % 101}"})
    await out.put(None)


async def parse(inq, out):
    while True:
        item = await inq.get()
        if item is None:
            break
        parts = item["line"].split(":")
        await out.put([parts[0], int(parts[1]) + item["id"] % 3])
    await out.put(None)


async def aggregate(inq):
    sums = {}
    while True:
        item = await inq.get()
        if item is None:
            break
        sums[item[0]] = sums.get(item[0], 0) + item[1]
    return sums


async def main():
    q1 = asyncio.Queue(64)
    q2 = asyncio.Queue(64)
    results = await asyncio.gather(produce(q1), parse(q1, q2), aggregate(q2))
    sums = results[2]
    keys = sorted(sums)
    print(f"pipeline n={n} keys={len(keys)} k0={sums['k0']} total={sum(sums.values())}")


asyncio.run(main())
