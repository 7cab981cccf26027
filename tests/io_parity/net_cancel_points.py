import asyncio


async def talk(reader, writer):
    await asyncio.sleep(0.5)
    writer.write(b"whole\npar")
    await writer.drain()
    await asyncio.sleep(0.5)
    writer.write(b"tial\n")
    await writer.drain()
    await asyncio.sleep(0.5)
    writer.write(b"second\n")
    await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(talk, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

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
    writer.close()
    server.close()


asyncio.run(main())
