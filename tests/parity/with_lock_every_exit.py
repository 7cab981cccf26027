import asyncio

# async with lock / semaphore: released on every way out of the block (normal
# end, return, break, continue, an error, a cancellation), waiters in order.

lock = asyncio.Lock()
sem = asyncio.Semaphore(2)
counter = 0


async def bump(name):
    global counter
    async with lock:
        c = counter
        await asyncio.sleep(0.05)
        counter = c + 1
        print(name, "bumped to", counter)


async def early_return():
    async with lock:
        return "returned, locked=" + str(lock.locked())


async def loop_exits():
    for i in range(4):
        async with lock:
            if i == 1:
                continue
            if i == 3:
                break
            print("loop", i, str(lock.locked()).lower())
    print("after loop", str(lock.locked()).lower())


async def failing():
    async with lock:
        raise ValueError("boom")


async def holder():
    try:
        async with lock:
            print("holder in")
            await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("holder cancelled, locked:", str(lock.locked()).lower())
        raise


async def limited(n):
    async with sem:
        print("limited", n, "in")
        await asyncio.sleep(0.1)
    print("limited", n, "out")


async def main():
    await asyncio.gather(bump("a"), bump("b"), bump("c"))
    print(await early_return(), str(lock.locked()).lower())
    await loop_exits()
    try:
        await failing()
    except ValueError as e:
        print("caught", e, "locked:", str(lock.locked()).lower())
    h = asyncio.create_task(holder())
    await asyncio.sleep(0)
    w = asyncio.create_task(bump("waiter"))
    await asyncio.sleep(0.1)
    h.cancel()
    try:
        await h
    except asyncio.CancelledError:
        print("holder done")
    await w
    await asyncio.gather(*(limited(n) for n in range(3)))


asyncio.run(main())
