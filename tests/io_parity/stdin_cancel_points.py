import asyncio, pathlib, sys


async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    pathlib.Path("ready").write_text("")

    async def read_line():
        line = await reader.readline()
        return line.decode().removesuffix("\n") if line else "nil"

    async def try_line(seconds):
        try:
            return await asyncio.wait_for(read_line(), seconds)
        except asyncio.TimeoutError:
            return "timeout"

    print(await try_line(0.2))
    print(await read_line())
    print(await try_line(0.2))
    print(await read_line())
    print(await try_line(0.2))
    print(await read_line())
    print(await read_line())


asyncio.run(main())
