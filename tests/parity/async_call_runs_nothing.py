import asyncio

# Calling an async function runs nothing until the coroutine is awaited.


async def greet(name):
    print(f"hello {name}")
    return name.upper()


async def main():
    c1 = greet("first")
    c2 = greet("second")
    print("two coroutines created")
    r2 = await c2
    print(f"awaited {r2}")
    r1 = await c1
    print(f"awaited {r1}")


asyncio.run(main())
