import asyncio

# An error thrown inside a task is stored; every later await of the task rethrows it.


async def failing():
    print("failing starts")
    await asyncio.sleep(0.05)
    print("failing throws")
    raise RuntimeError("task blew up")


async def main():
    t = asyncio.create_task(failing())
    await asyncio.sleep(0.1)
    print("task done:", "yes" if t.done() else "no")
    for attempt in range(2):
        try:
            await t
            print("no error (wrong)")
        except Exception as e:
            print(f"attempt {attempt}: {type(e).__name__}: {e}")
    print("main continues")


asyncio.run(main())
