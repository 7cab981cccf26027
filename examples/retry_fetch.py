# The CPython twin of retry_fetch.tasks: asyncio has no retry, so the loop
# with its backoff and its rule of what to retry is written by hand; the
# server is http.server on a thread, the client urllib on another.
import asyncio
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

hits = {}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        p = self.path
        hits[p] = hits.get(p, 0) + 1
        if p == "/busy" and hits[p] < 3:
            self.answer(503, "busy, try again")
        elif p == "/missing":
            self.answer(404, "no such page")
        else:
            self.answer(200, "hello from " + p)

    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class StatusError(Exception):
    def __init__(self, status):
        self.status = status


def transient(e):
    if isinstance(e, StatusError):
        return e.status >= 500
    return isinstance(e, (urllib.error.URLError, ConnectionError, TimeoutError))


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()
    except urllib.error.HTTPError as e:
        raise StatusError(e.code) from None


async def retry(f, attempts, backoff, on):
    for k in range(attempts):
        try:
            return await f()
        except Exception as e:
            if not on(e) or k == attempts - 1:
                raise
            await asyncio.sleep(backoff * 2**k)


async def main():
    server, url = serve()
    gone, gone_url = serve()
    gone.server_close()
    for target in [url + "/ok", url + "/busy", url + "/missing", gone_url + "/ok"]:
        shown = target.replace(url, "server").replace(gone_url, "closed")
        tries = 0

        async def attempt():
            nonlocal tries
            tries += 1
            return await asyncio.to_thread(get, target)

        try:
            body = await retry(attempt, attempts=4, backoff=0.05, on=transient)
            print(f"{shown}: {body} (attempts: {tries})")
        except Exception as e:
            why = f"status {e.status}" if isinstance(e, StatusError) else "no answer"
            print(f"{shown}: gave up, {why} (attempts: {tries})")
    server.shutdown()


asyncio.run(main())
