import asyncio

# A coroutine can be awaited only once; awaiting it again is a catchable error.


async def once():
    print("once runs")
    return 1


async def main():
    c = once()
    v = await c
    print(f"first await gave {v}")
    try:
        await c
        print("second await worked (wrong)")
    except Exception:
        print("second await is an error")
    print("main continues")


asyncio.run(main())
