import asyncio

# Queue.join waits until every item put has been marked done by task_done;
# a join with nothing unfinished returns without yielding; task_done once
# too often is a ValueError.


async def worker(name, q):
    while True:
        item = await q.get()
        await asyncio.sleep(item)
        print(name, "did", item)
        q.task_done()


async def joiner(q, n):
    await q.join()
    print("joiner", n, "woke")


async def main():
    q = asyncio.Queue()
    await q.join()
    print("empty join returns at once")
    for d in [0.3, 0.1, 0.2, 0.1]:
        q.put_nowait(d)
    workers = [asyncio.create_task(worker(f"w{i}", q)) for i in range(2)]
    j1 = asyncio.create_task(joiner(q, 1))
    j2 = asyncio.create_task(joiner(q, 2))
    j3 = asyncio.create_task(joiner(q, 3))
    await asyncio.sleep(0.05)
    j3.cancel()
    try:
        await j3
    except asyncio.CancelledError:
        print("joiner 3 cancelled while waiting")
    await q.join()
    print("main joined")
    await asyncio.gather(j1, j2)
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    try:
        q.task_done()
    except ValueError as e:
        print("caught", type(e).__name__)


asyncio.run(main())
