import asyncio

# Closures capture variables by reference: a task sees assignments made after it was spawned,
# and tasks sharing a captured counter all update the same variable.


async def main():
    x = 1

    async def show():
        print(f"x is {x}")

    t = asyncio.create_task(show())
    x = 2
    await t

    count = 0

    async def inc(name):
        nonlocal count
        for _ in range(3):
            count += 1
            print(f"{name} sets count to {count}")
            await asyncio.sleep(0)

    a = asyncio.create_task(inc("a"))
    b = asyncio.create_task(inc("b"))
    await a
    await b
    print(f"final count {count}")


asyncio.run(main())
