import asyncio, pathlib, sys


async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    pathlib.Path("ready").write_text("")

    async def next_line():
        line = await reader.readline()
        return line.decode().removesuffix("\n") if line else None

    print(await next_line())
    for seconds in [0.3, 0.6]:
        try:
            print(await asyncio.wait_for(next_line(), seconds))
        except asyncio.TimeoutError:
            print("timeout")
    async for line in reader:
        print("loop", line.decode().removesuffix("\n"))
    print("end")


asyncio.run(main())
