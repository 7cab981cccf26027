# W5b twin of fib_async.tasks
import asyncio


async def fib_async(n):
    if n < 2:
        return n
    return await fib_async(n - 1) + await fib_async(n - 2)


async def main():
    print(f"fib_async(22)={await fib_async(22)}")


asyncio.run(main())
