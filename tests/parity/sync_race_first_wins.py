import asyncio

# race(a, b, c) returns the first result and cancels the others (whose cleanup runs before
# race returns). Python port: asyncio.wait(FIRST_COMPLETED), cancel the rest, await them.


async def race(*coros):
    tasks = [asyncio.create_task(c) for c in coros]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for t in tasks:
        if not t.done():
            t.cancel()
    for t in tasks:
        if t not in done:
            try:
                await t
            except asyncio.CancelledError:
                pass
    for t in tasks:
        if t in done:
            return t.result()


async def fetch(name, d):
    try:
        print(f"{name} start")
        await asyncio.sleep(d)
        print(f"{name} finished")
        return name.upper()
    finally:
        print(f"{name} cleanup")


async def main():
    w = await race(fetch("a", 0.15), fetch("b", 0.05), fetch("c", 0.1))
    print(f"winner {w}")
    await asyncio.sleep(0.2)
    print("nothing else happened")


asyncio.run(main())
