import asyncio

# t.result() / t.error() (Python: exception()) on finished, failed and pending tasks.


async def good():
    return 42


async def bad():
    raise ValueError("boom")


async def slow():
    await asyncio.sleep(0.1)
    return "slow"


async def main():
    g = asyncio.create_task(good())
    b = asyncio.create_task(bad())
    s = asyncio.create_task(slow())
    await asyncio.sleep(0)
    print(f"good result {g.result()}")
    print("good error:", "none" if g.exception() is None else "some")
    try:
        b.result()
        print("bad result returned (wrong)")
    except Exception as e:
        print(f"bad result raised {type(e).__name__}: {e}")
    e = b.exception()
    print(f"bad error {type(e).__name__}: {e}")
    try:
        s.result()
        print("pending result returned (wrong)")
    except Exception:
        print("result on pending task raised")
    print(f"await slow: {await s}")
    print(f"slow result {s.result()}")
    print(f"good awaited twice: {await g} {await g}")


asyncio.run(main())
