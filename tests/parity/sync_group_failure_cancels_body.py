import asyncio


async def fail_soon():
    await asyncio.sleep(0.05)
    print("fail_soon throws")
    raise ValueError("boom")


async def slow():
    try:
        await asyncio.sleep(1)
        print("slow finished (wrong)")
    finally:
        print("slow cleanup")


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail_soon())
            tg.create_task(slow())
            print("body waits")
            try:
                await asyncio.sleep(1)
                print("body not reached")
            finally:
                print("body cleanup")
    except* ValueError as eg:
        print("group failed:", eg.exceptions[0])
    print("after the group")


asyncio.run(main())
