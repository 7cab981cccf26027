# The CPython twin of n_at_a_time.tasks: asyncio has no "N at a time", so
# each job takes a semaphore around its work, and gather runs them all.
import asyncio

durations = [0.8, 0.2, 0.6, 0.2, 0.8, 0.4, 0.8, 0.4]
running = 0
peak = 0


async def download(i):
    global running, peak
    running += 1
    peak = max(peak, running)
    print("start", i)
    await asyncio.sleep(durations[i])
    running -= 1
    print("done", i)
    return f"file{i}: {int(durations[i] * 1000)} kB"


async def main():
    slots = asyncio.Semaphore(3)

    async def limited(i):
        async with slots:
            return await download(i)

    results = await asyncio.gather(*(limited(i) for i in range(len(durations))))
    for r in results:
        print(r)
    print("at most", peak, "at once")


asyncio.run(main())
