import asyncio


async def main():
    p = await asyncio.create_subprocess_exec(
        "sh", "-c",
        "sleep 0.5; echo whole; printf par; sleep 0.5; echo tial; sleep 0.5; echo second",
        stdout=asyncio.subprocess.PIPE,
    )

    async def read_line():
        line = await p.stdout.readline()
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
    t = asyncio.ensure_future(read_line())
    await asyncio.sleep(0.2)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("cancelled")
    print(await read_line())
    print(await read_line())
    print(await p.wait())


asyncio.run(main())
