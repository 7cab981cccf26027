import asyncio

# A task is pending until it returns, throws, or is cancelled; observe each transition.


def state(t):
    if t.cancelled():
        return "cancelled"
    if t.done():
        return "done"
    return "pending"


async def finisher():
    await asyncio.sleep(0.05)
    return 1


async def thrower():
    await asyncio.sleep(0.15)
    raise KeyError("k")


async def sleeper():
    await asyncio.sleep(0.4)


async def main():
    f = asyncio.create_task(finisher())
    t = asyncio.create_task(thrower())
    s = asyncio.create_task(sleeper())
    print(f"spawned: {state(f)} {state(t)} {state(s)}")
    await asyncio.sleep(0)
    print(f"after first step: {state(f)} {state(t)} {state(s)}")
    await asyncio.sleep(0.1)
    print(f"at 0.1: {state(f)} {state(t)} {state(s)}")
    s.cancel()
    print(f"cancel requested: {state(f)} {state(t)} {state(s)}")
    await asyncio.sleep(0.1)
    print(f"at 0.2: {state(f)} {state(t)} {state(s)}")
    print("thrower has error:", "yes" if t.exception() is not None else "no")


asyncio.run(main())
