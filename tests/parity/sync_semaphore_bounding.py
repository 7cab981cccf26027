import asyncio

# semaphore(2) lets at most two workers in at once; the others wait their turn in order.


async def worker(n, sem, d, state):
    await sem.acquire()
    try:
        state["active"] += 1
        state["peak"] = max(state["peak"], state["active"])
        print(f"worker {n} starts (active {state['active']})")
        await asyncio.sleep(d)
        print(f"worker {n} ends")
        state["active"] -= 1
    finally:
        sem.release()


async def main():
    sem = asyncio.Semaphore(2)
    state = {"active": 0, "peak": 0}
    durations = [0.1, 0.2, 0.15, 0.15]
    ts = []
    for n in range(4):
        ts.append(asyncio.create_task(worker(n, sem, durations[n], state)))
    for t in ts:
        await t
    print(f"peak concurrency {state['peak']}")


asyncio.run(main())
