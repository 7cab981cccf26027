#!/usr/bin/env python3
"""HTTP benchmarks (issue 14): tasks against CPython asyncio + aiohttp, on
this machine's loopback only.

(a) client: N GETs, C at a time, against one server (the tasks server of
    (b), the faster of the two, so that it is not the bottleneck), by the
    tasks client (keep-alive since issue 27: its connections are pooled per
    host) and the aiohttp client (its default pooled keep-alive, and with
    force_close, one connection per request);
(b) server: the same load against `http.serve` (an async fn handler, a
    task per request) and against an aiohttp server, made by the tasks
    client and by the aiohttp client (both keep-alive).

Each run is a fresh client process, timed from spawn to exit; the two sides
alternate and the median of --runs is reported as requests per second.

Needs aiohttp, for the benchmark only (without it the script says so and
skips, exit status 0):
    python3 -m venv target/bench-venv && target/bench-venv/bin/pip install aiohttp
    python3 benches/http/run.py --python target/bench-venv/bin/python
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The tasks sides are written to a temporary folder when run: as files
# here, `tasks test benches` would take them for golden cases.
CLIENT_TASKS = """\
# Client benchmark: N GETs of URL, C at a time (a semaphore), every
# response checked. Usage: client.tasks URL N C
let url = args()[0]
let n = int(args()[1])
let limit = semaphore(int(args()[2]))

async fn fetch(i) {
    with limit {
        let r = await http.get(f"{url}?i={i}")
        return r.status() == 200 and r.json()["ok"]
    }
}

let tasks = [fetch(i) for i in range(n)]
let results = await gather(tasks)
let ok = len([r for r in results if r])
print(f"{ok} of {n} ok")
"""

SERVE_TASKS = """\
# Server benchmark: answers every GET with a small JSON body, each in a
# task of its own (an async fn handler). Prints its
# URL, then serves until killed.
async fn handler(request) {
    return {"ok": true, "path": request.path()}
}
let server = http.serve(handler, port: 0)
print(server.url())
await server.wait()
"""


def tasks_binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "tasks")


def start_server(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = p.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        p.kill()
        sys.exit(f"server did not start: {cmd} printed {url!r}")
    return p, url


def proc_cpu(pid):
    """User + system CPU seconds a running process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(cmd, n, server):
    """Wall time of one client run, and the CPU time of the client (for
    the client benchmark) or of the server (for the server benchmark)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = proc_cpu(server.pid)
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.stdout.strip() != f"{n} of {n} ok":
        sys.exit(f"{cmd[0]}: {out.stdout.strip()!r} {out.stderr[-500:]}")
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, client_cpu, proc_cpu(server.pid) - server_before


def compare(rows, n, runs, measure):
    """rows: [(label, cmd, server process)], run alternately; gives
    {label: (median wall, median CPU)}, CPU of the client or the server."""
    got = {label: [] for label, _, _ in rows}
    for i in range(runs):
        order = rows if i % 2 == 0 else rows[::-1]
        for label, cmd, server in order:
            wall, client_cpu, server_cpu = timed(cmd, n, server)
            got[label].append((wall, client_cpu if measure == "client" else server_cpu))
    return {
        label: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for label, v in got.items()
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--c", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--tasks", default=tasks_binary())
    a = ap.parse_args()
    check = subprocess.run([a.python, "-c", "import aiohttp; print(aiohttp.__version__)"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        print(f"skipped: {a.python} has no aiohttp (pip install aiohttp; see this script's docstring)")
        return
    net = ["--allow-net=127.0.0.1"]
    scripts = tempfile.mkdtemp()
    for name, text in [("client.tasks", CLIENT_TASKS), ("serve.tasks", SERVE_TASKS)]:
        with open(os.path.join(scripts, name), "w") as f:
            f.write(text)
    t_srv, t_url = start_server([a.tasks, "run", *net, os.path.join(scripts, "serve.tasks")])
    a_srv, a_url = start_server([a.python, os.path.join(HERE, "serve_aiohttp.py")])
    try:
        load = [str(a.n), str(a.c)]
        tasks_client = [a.tasks, "run", *net, os.path.join(scripts, "client.tasks")]
        py_client = [a.python, os.path.join(HERE, "client_aiohttp.py")]
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"aiohttp {check.stdout.strip()}, {sys.version.split()[0]} (runner); "
              f"N = {a.n} GETs, {a.c} at a time, median of {a.runs}")
        client = compare([
            ("tasks client", tasks_client + [t_url + "/"] + load, t_srv),
            ("aiohttp client, keep-alive", py_client + [t_url + "/"] + load, t_srv),
            ("aiohttp client, force_close", py_client + [t_url + "/"] + load + ["close"], t_srv),
        ], a.n, a.runs, "client")
        print("\n(a) client, against the tasks server; CPU is the client's")
        report(client, "tasks client", a.n)
        server = compare([
            ("tasks http.serve", tasks_client + [t_url + "/"] + load, t_srv),
            ("aiohttp server", tasks_client + [a_url + "/"] + load, a_srv),
        ], a.n, a.runs, "server")
        print("\n(b) server, load from the tasks client (keep-alive); CPU is the server's")
        report(server, "tasks http.serve", a.n)
        server = compare([
            ("tasks http.serve", py_client + [t_url + "/"] + load, t_srv),
            ("aiohttp server", py_client + [a_url + "/"] + load, a_srv),
        ], a.n, a.runs, "server")
        print("\n(b') server, load from the aiohttp client (keep-alive); CPU is the server's")
        report(server, "tasks http.serve", a.n)
    finally:
        for p in (t_srv, a_srv):
            p.kill()
            p.wait()
        shutil.rmtree(scripts, ignore_errors=True)


def report(results, ours, n):
    print("| side | wall (s) | requests/s | tasks x faster | CPU (s) | tasks x less CPU |")
    print("| --- | --- | --- | --- | --- | --- |")
    wall0, cpu0 = results[ours]
    for label, (wall, cpu) in results.items():
        ratios = ("", "") if label == ours else (f"{wall / wall0:.1f}", f"{cpu / cpu0:.1f}")
        print(f"| {label} | {wall:.2f} | {n / wall:,.0f} | {ratios[0]} | {cpu:.2f} | {ratios[1]} |")


if __name__ == "__main__":
    main()
