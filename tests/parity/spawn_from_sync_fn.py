import asyncio

# spawn works from a plain (non-async) function called by a running task.


async def job(n):
    print(f"job {n} runs")
    return n + 100


def start_jobs(count):
    ts = []
    for n in range(count):
        ts.append(asyncio.create_task(job(n)))
    print(f"started {count} jobs")
    return ts


async def main():
    ts = start_jobs(3)
    print("back in main")
    for t in ts:
        r = await t
        print(f"result {r}")


asyncio.run(main())
