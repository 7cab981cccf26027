import asyncio

# wait_for cancels the awaitable on timeout, lets its cleanup run, then throws TimeoutError.


async def slow_work():
    print("slow start")
    try:
        await asyncio.sleep(0.3)
        print("slow finished (wrong)")
        return 1
    finally:
        print("slow cleanup")


async def main():
    try:
        await asyncio.wait_for(slow_work(), 0.1)
        print("no timeout (wrong)")
    except asyncio.TimeoutError as e:
        print("timed out:", type(e).__name__)
    print("main continues")


asyncio.run(main())
