import asyncio

# Cancelling a task deep in a chain of awaited coroutines runs every finally, innermost first.


async def level3():
    try:
        print("level3 sleeping")
        await asyncio.sleep(0.3)
    finally:
        print("level3 finally")


async def level2():
    try:
        await level3()
    finally:
        print("level2 finally")


async def level1():
    try:
        await level2()
    finally:
        print("level1 finally")


async def main():
    t = asyncio.create_task(level1())
    await asyncio.sleep(0.05)
    t.cancel()
    print("cancel sent")
    try:
        await t
    except asyncio.CancelledError:
        print("main: task cancelled")


asyncio.run(main())
