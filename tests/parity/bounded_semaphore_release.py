import asyncio

# BoundedSemaphore: releasing above the start value is a ValueError; a
# plain Semaphore lets the value grow.


async def worker(s, n):
    async with s:
        print("worker", n, "in, value", s._value)
        await asyncio.sleep(0.1)
    print("worker", n, "out")


async def main():
    s = asyncio.BoundedSemaphore(2)
    await asyncio.gather(worker(s, 1), worker(s, 2), worker(s, 3))
    try:
        s.release()
    except ValueError as e:
        print("caught", type(e).__name__)
    print("value", s._value, str(s.locked()).lower())
    await s.acquire()
    s.release()
    plain = asyncio.Semaphore(1)
    plain.release()
    print("plain value", plain._value)


asyncio.run(main())
