import asyncio

# done()/cancelled() after a task ends normally, by error, by cancellation, or by surviving a cancel.


def yes_no(b):
    return "yes" if b else "no"


def report(label, t):
    print(f"{label}: done={yes_no(t.done())} cancelled={yes_no(t.cancelled())}")


async def ok():
    await asyncio.sleep(0.05)
    return "fine"


async def bad():
    await asyncio.sleep(0.05)
    raise ValueError("bad")


async def victim():
    await asyncio.sleep(0.3)


async def survivor():
    try:
        await asyncio.sleep(0.3)
    except asyncio.CancelledError:
        pass
    return "survived"


async def main():
    a = asyncio.create_task(ok())
    b = asyncio.create_task(bad())
    c = asyncio.create_task(victim())
    d = asyncio.create_task(survivor())
    await asyncio.sleep(0)
    c.cancel()
    d.cancel()
    await asyncio.sleep(0.1)
    report("ok", a)
    report("bad", b)
    report("victim", c)
    report("survivor", d)
    try:
        await b
    except Exception as e:
        print(f"bad raised {type(e).__name__}: {e}")
    print(f"survivor result {d.result()}")


asyncio.run(main())
