# Server benchmark, CPython twin: an aiohttp server answering every GET
# with the same small JSON body. Prints its URL, then serves until killed.
import asyncio
import sys

from aiohttp import web


async def handler(request):
    return web.json_response({"ok": True, "path": request.path})


async def main():
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
