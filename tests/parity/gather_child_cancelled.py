import asyncio

# A gather child cancelled directly (not the gather) counts as a CancelledError result:
# in place with return_errors, otherwise thrown to the awaiter, which is itself not cancelled.


async def work(name, d):
    try:
        await asyncio.sleep(d)
        print(f"{name} finished")
        return name
    finally:
        print(f"{name} finally")


async def cancel_later(t, d):
    await asyncio.sleep(d)
    print("canceller fires")
    t.cancel()


async def main():
    a = asyncio.create_task(work("a", 0.1))
    b = asyncio.create_task(work("b", 0.15))
    asyncio.create_task(cancel_later(a, 0.05))
    results = await asyncio.gather(a, b, return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            print(f"error {type(r).__name__}")
        else:
            print(f"value {r}")

    c = asyncio.create_task(work("c", 0.1))
    d = asyncio.create_task(work("d", 0.15))
    asyncio.create_task(cancel_later(c, 0.05))
    try:
        await asyncio.gather(c, d)
        print("gather returned (wrong)")
    except asyncio.CancelledError:
        print("gather raised CancelledError")
    print("main keeps going")
    v = await d
    print(f"d gave {v}")


asyncio.run(main())
