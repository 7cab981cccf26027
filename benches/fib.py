# W5a twin of fib.tasks (runs inside asyncio.run like every .tasks script)
import asyncio


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


async def main():
    print(f"fib(27)={fib(27)}")


asyncio.run(main())
