# Leaving `for ... in as_completed(...)` early (return, break) makes no
# more _wait_for_one coroutines: nothing is reported as never awaited.
import asyncio


async def job(name, secs):
    await asyncio.sleep(secs)
    return name


async def first_good(names):
    tasks = [asyncio.create_task(job(n, s)) for n, s in names]
    for nxt in asyncio.as_completed(tasks):
        try:
            return await nxt
        except ValueError:
            pass


async def main():
    print("first:", await first_good([("slow", 0.3), ("fast", 0.1), ("mid", 0.2)]))
    for nxt in asyncio.as_completed([job("a", 0.1), job("b", 0.2)]):
        print("only", await nxt)
        break
    seen = 0
    for nxt in asyncio.as_completed([job(str(i), i / 10) for i in range(1, 6)]):
        print("got", await nxt)
        seen += 1
        if seen == 2:
            break
    await asyncio.sleep(1)
    print("done")


asyncio.run(main())
