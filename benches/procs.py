# I/O workload (a): run N `true` processes, 16 at a time.
import asyncio
import sys


async def main():
    n = int(sys.argv[1]) or 500
    slots = asyncio.Semaphore(16)
    ok = 0

    async def one():
        nonlocal ok
        async with slots:
            p = await asyncio.create_subprocess_exec("true")
            if await p.wait() == 0:
                ok += 1

    await asyncio.gather(*[one() for _ in range(n)])
    print(f"procs n={n} ok={ok}")


asyncio.run(main())
