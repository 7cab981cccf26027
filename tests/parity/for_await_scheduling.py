import asyncio
import contextlib

# `for await` over a script's stream awaits `next()` each turn, so another
# task runs at the same points as beside Python's `async for` (here with
# contextlib.aclosing, which closes the stream on every way out).


class Counter:
    def __init__(self, name, n):
        self.name, self.n, self.i = name, n, 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        await asyncio.sleep(0)
        if self.i >= self.n:
            raise StopAsyncIteration
        self.i += 1
        return self.i

    async def aclose(self):
        print(self.name, "closed at", self.i)


async def ticker(n):
    for i in range(n):
        print("tick", i)
        await asyncio.sleep(0)


async def main():
    t = asyncio.create_task(ticker(8))
    async with contextlib.aclosing(Counter("a", 3)) as s:
        async for x in s:
            print("a", x)
    async with contextlib.aclosing(Counter("b", 10)) as s:
        async for x in s:
            if x == 2:
                break
            print("b", x)
    try:
        async with contextlib.aclosing(Counter("c", 10)) as s:
            async for x in s:
                if x == 2:
                    raise ValueError("boom")
                print("c", x)
    except ValueError as e:
        print("caught", e)
    await t


asyncio.run(main())
