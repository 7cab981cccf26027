# W3 twin of queue_pingpong.tasks
import asyncio
import sys


async def ping(n, to, frm):
    total = 0
    for i in range(n):
        await to.put(i)
        total += await frm.get()
    return total


async def pong(n, frm, to):
    for _ in range(n):
        v = await frm.get()
        await to.put(v + 1)


async def main():
    n = int(sys.argv[1])
    q1 = asyncio.Queue(1)
    q2 = asyncio.Queue(1)
    a = asyncio.create_task(ping(n, q1, q2))
    b = asyncio.create_task(pong(n, q1, q2))
    total = await a
    await b
    print(f"queue_pingpong n={n} sum={total}")


asyncio.run(main())
