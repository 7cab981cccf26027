import asyncio

# as_completed(timeout=): the awaits still waiting when the time is up
# raise TimeoutError, one per awaitable not done; the awaitables go on.


async def job(name, secs):
    await asyncio.sleep(secs)
    print(name, "done")
    return name


async def main():
    tasks = [asyncio.create_task(job("slow", 0.6)), asyncio.create_task(job("fast", 0.1)),
             asyncio.create_task(job("slower", 0.8))]
    for aw in asyncio.as_completed(tasks, timeout=0.3):
        try:
            print("got", await aw)
        except TimeoutError:
            print("timed out")
    print("slow finished?", str(tasks[0].done()).lower())
    await asyncio.sleep(0.6)
    print("slow finished?", str(tasks[0].done()).lower(), str(tasks[2].done()).lower())
    print("-- all in time: the timer is cancelled")
    tasks = [asyncio.create_task(job("x", 0.1)), asyncio.create_task(job("y", 0.2))]
    for aw in asyncio.as_completed(tasks, timeout=5):
        print("got", await aw)
    print("-- coroutines become tasks")
    for aw in asyncio.as_completed([job("only", 0.1)]):
        print("got", await aw)


asyncio.run(main())
