import asyncio

# When a task in a group fails, the still-running siblings are cancelled, and the first error
# is rethrown after all of them have ended (Python wraps it in an ExceptionGroup).


async def ok_slow():
    try:
        print("ok_slow start")
        await asyncio.sleep(0.3)
        print("ok_slow finished (wrong)")
    finally:
        print("ok_slow cleanup")


async def ok_fast():
    await asyncio.sleep(0.05)
    print("ok_fast finished")
    return 1


async def failing():
    await asyncio.sleep(0.1)
    print("failing throws")
    raise ValueError("bad thing")


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(ok_slow())
            tg.create_task(ok_fast())
            tg.create_task(failing())
        print("after group (wrong)")
    except Exception as eg:
        e = eg.exceptions[0]
        print(f"group raised {type(e).__name__}: {e}")
    print("main continues")


asyncio.run(main())
