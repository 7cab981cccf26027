# W6 twin of event_blocked.tasks
import asyncio
import sys


async def waiter(e):
    await e.wait()
    return 1


async def main():
    n = int(sys.argv[1])
    e = asyncio.Event()
    ts = []
    for i in range(n):
        ts.append(asyncio.create_task(waiter(e)))
    await asyncio.sleep(0)  # every waiter runs once and blocks on the event
    blocked = 0
    for t in ts:
        if not t.done():
            blocked += 1
    e.set()
    total = 0
    for t in ts:
        total += await t
    print(f"event_blocked n={n} blocked={blocked} released={total}")


asyncio.run(main())
