import asyncio

# Lock waiters are served FIFO; a task that releases and immediately re-acquires goes to the
# back of the line instead of barging ahead of the waiters.


def yes_no(b):
    return "yes" if b else "no"


async def worker(name, lk, rounds):
    for i in range(rounds):
        await lk.acquire()
        try:
            print(f"{name} holds the lock (round {i})")
            await asyncio.sleep(0)
        finally:
            lk.release()
    print(f"{name} done")


async def main():
    lk = asyncio.Lock()
    print("locked at start:", yes_no(lk.locked()))
    ts = []
    for name in ["A", "B", "C"]:
        ts.append(asyncio.create_task(worker(name, lk, 2)))
    for t in ts:
        await t
    print("locked at end:", yes_no(lk.locked()))


asyncio.run(main())
