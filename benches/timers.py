# W2 twin of timers.tasks
import asyncio
import sys


async def sleeper(i, d):
    await asyncio.sleep(d)
    return i


async def main():
    n = int(sys.argv[1])
    coros = []
    for i in range(n):
        coros.append(sleeper(i, i * 0.01 / n))
    results = await asyncio.gather(*coros)
    print(f"timers n={len(results)} sum={sum(results)}")


asyncio.run(main())
