import asyncio

# The first error from a gather child propagates to the awaiter at once; the siblings keep running.


async def fail_soon():
    await asyncio.sleep(0.05)
    print("fail_soon throws")
    raise ValueError("boom")


async def slow(name, d):
    await asyncio.sleep(d)
    print(f"{name} still finished")
    return name


async def main():
    try:
        await asyncio.gather(slow("s1", 0.1), fail_soon(), slow("s2", 0.15))
        print("gather returned (wrong)")
    except Exception as e:
        print(f"gather raised {type(e).__name__}: {e}")
    await asyncio.sleep(0.25)
    print("main end")


asyncio.run(main())
