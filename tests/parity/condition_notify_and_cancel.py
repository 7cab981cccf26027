import asyncio

# asyncio.Condition: notify(n) wakes the first n waiters in order, each
# re-acquiring the lock before it returns; notify_all; wait_for with a
# predicate; a waiter cancelled while waiting still re-acquires the lock
# before the CancelledError leaves; wait and notify need the lock.


async def waiter(cond, name, log):
    async with cond:
        print(name, "waits")
        await cond.wait()
        print(name, "woke, locked:", str(cond.locked()).lower())
        log.append(name)


async def main():
    cond = asyncio.Condition()
    log = []
    ts = [asyncio.create_task(waiter(cond, f"w{i}", log)) for i in range(4)]
    await asyncio.sleep(0.1)
    async with cond:
        cond.notify(2)
        print("notified 2")
    await asyncio.sleep(0.1)
    print("woken:", " ".join(log))
    async with cond:
        cond.notify_all()
    await asyncio.gather(*ts)
    print("woken:", " ".join(log))

    items = []

    async def consumer():
        async with cond:
            r = await cond.wait_for(lambda: len(items) >= 2)
            print("consumer sees", len(items), "items, predicate gave", str(r).lower())

    c = asyncio.create_task(consumer())
    for i in range(3):
        await asyncio.sleep(0.05)
        async with cond:
            items.append(i)
            cond.notify()
            print("produced", i)
    await c

    async def cancelled_waiter():
        async with cond:
            try:
                await cond.wait()
            except asyncio.CancelledError:
                print("cancelled waiter holds the lock:", str(cond.locked()).lower())
                raise

    t = asyncio.create_task(cancelled_waiter())
    await asyncio.sleep(0.05)
    await cond.acquire()
    t.cancel()
    await asyncio.sleep(0.05)
    print("task done while main holds the lock:", str(t.done()).lower())
    cond.release()
    try:
        await t
    except asyncio.CancelledError:
        print("waiter cancelled; lock free:", str(not cond.locked()).lower())

    try:
        await cond.wait()
    except RuntimeError:
        print("wait without the lock: RuntimeError")
    try:
        cond.notify()
    except RuntimeError:
        print("notify without the lock: RuntimeError")

    lock = asyncio.Lock()
    shared = asyncio.Condition(lock)
    async with shared:
        print("shared lock taken:", str(lock.locked()).lower())


asyncio.run(main())
