import asyncio

# Awaiting a coroutine runs it inline in the current task: no yield unless it waits.


async def compute(x):
    return x * 2


async def deeper(x):
    v = await compute(x)
    return v + 1


async def other():
    print("other task runs")


async def main():
    asyncio.create_task(other())
    v = await deeper(5)
    print(f"inline result {v}")
    w = await deeper(v)
    print(f"inline again {w}")
    await asyncio.sleep(0)
    print("after yield")


asyncio.run(main())
