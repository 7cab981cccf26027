import asyncio

# An error thrown deep in a chain of awaited coroutines unwinds through each finally, innermost first.


async def level3():
    try:
        await asyncio.sleep(0.05)
        raise ValueError("deep failure")
    finally:
        print("level3 finally")


async def level2():
    try:
        await level3()
        print("level2 after (wrong)")
    finally:
        print("level2 finally")


async def level1():
    try:
        await level2()
    except Exception as e:
        print(f"level1 caught {type(e).__name__}: {e}")
        return "recovered"
    finally:
        print("level1 finally")


async def main():
    t = asyncio.create_task(level1())
    r = await t
    print(f"task returned {r}")


asyncio.run(main())
