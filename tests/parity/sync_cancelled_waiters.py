import asyncio


async def lock_user(lock, name, log, hold):
    await lock.acquire()
    try:
        log.append(f"{name} has the lock")
        print(f"{name} has the lock")
        await asyncio.sleep(hold)
    finally:
        lock.release()


async def sem_user(sem, name, hold):
    await sem.acquire()
    try:
        print(f"{name} in")
        await asyncio.sleep(hold)
        print(f"{name} out")
    finally:
        sem.release()


async def putter(q, item):
    try:
        await q.put(item)
        print(f"put {item}")
    except asyncio.CancelledError:
        print(f"put {item} cancelled")
        raise


async def main():
    lock = asyncio.Lock()
    log = []
    a = asyncio.create_task(lock_user(lock, "a", log, 0.1))
    b = asyncio.create_task(lock_user(lock, "b", log, 0.05))
    c = asyncio.create_task(lock_user(lock, "c", log, 0.05))
    await asyncio.sleep(0.02)
    b.cancel()
    await asyncio.gather(a, b, c, return_exceptions=True)
    print("lock free:", "yes" if not lock.locked() else "no")

    sem = asyncio.Semaphore(1)
    s1 = asyncio.create_task(sem_user(sem, "s1", 0.1))
    s2 = asyncio.create_task(sem_user(sem, "s2", 0.05))
    s3 = asyncio.create_task(sem_user(sem, "s3", 0.05))
    await asyncio.sleep(0.02)
    s2.cancel()
    await asyncio.gather(s1, s2, s3, return_exceptions=True)

    ev = asyncio.Event()
    w = asyncio.create_task(ev.wait())
    await asyncio.sleep(0)
    w.cancel()
    await asyncio.sleep(0)
    print("event waiter cancelled:", "yes" if w.cancelled() else "no")
    ev.set()

    q = asyncio.Queue(1)
    q.put_nowait("first")
    p1 = asyncio.create_task(putter(q, "second"))
    p2 = asyncio.create_task(putter(q, "third"))
    await asyncio.sleep(0)
    p1.cancel()
    await asyncio.sleep(0)
    print("got", q.get_nowait())
    await asyncio.sleep(0)
    print("got", q.get_nowait())
    await asyncio.gather(p1, p2, return_exceptions=True)

    try:
        await asyncio.wait_for(asyncio.Queue().get(), 0.05)
    except asyncio.TimeoutError:
        print("get timed out")


asyncio.run(main())
