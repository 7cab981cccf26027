# Client benchmark, CPython twin: N GETs of URL, C at a time, with aiohttp.
# Usage: client_aiohttp.py URL N C [close]  ("close": one connection per request,
# as tasks does; otherwise aiohttp's default pooled keep-alive).
import asyncio
import sys

import aiohttp


async def main():
    url, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    close = len(sys.argv) > 4 and sys.argv[4] == "close"
    limit = asyncio.Semaphore(c)
    connector = aiohttp.TCPConnector(force_close=close, limit=c)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def fetch(i):
            async with limit:
                async with session.get(f"{url}?i={i}") as r:
                    return r.status == 200 and (await r.json())["ok"]

        results = await asyncio.gather(*(fetch(i) for i in range(n)))
    print(f"{sum(1 for r in results if r)} of {n} ok")


asyncio.run(main())
