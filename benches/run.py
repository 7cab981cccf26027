#!/usr/bin/env python3
"""Benchmark runner: each benches/NAME.tasks against its CPython twin NAME.py.

    python3 benches/run.py                      # everything, 3 runs, N = 10k/100k/1M
    python3 benches/run.py --only timers --sizes 1000,10000 --runs 5
    python3 benches/run.py --only general       # the general workloads G1-G9
    python3 benches/run.py --only check_big,check_flat   # tasks check vs compile()
    python3 benches/run.py --tasks path/to/tasks

For every workload and size the two implementations are run alternately
(tasks, CPython, CPython, tasks, ...) so that slow drift in the machine's load
hits both alike.  Each run is one child process; its wall time is measured
around spawn + wait, and its CPU time and peak RSS come from its own rusage
(os.wait4; peak RSS through GNU time when available, see GNU_TIME below), so
nothing else on the machine is counted.  An empty program (startup.tasks /
startup.py) is timed first, for the "net of start-up" column.  The two
outputs must be identical (and equal to the expected checksum line), or the
row is marked MISMATCH.

SITE: CPython runs with -S (no `site` module) unless --site is given.  The
benchmarks' twins use the standard library only, and a machine's
site-packages can make every CPython start much slower than CPython is: on
the machines this project is measured on, a `.pth` file of the sandbox
imports certifi at each start (about 45 ms of `import site`'s 60 ms, against
a few ms on a clean install), which would count as tasks being faster.  -S
also drops site's own few milliseconds, which only lowers tasks' ratios.

Guards: a single run is killed after --timeout seconds (default 60); if an
implementation's median at one size exceeds --guard seconds (default 20), or
a run of it timed out, its larger sizes are skipped for that workload.

Standard library only.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def tree_nodes(n):
    """Node count of gather_tree's tree for argument n (same loop as the scripts)."""
    nodes = 1
    while nodes * 2 + 1 <= n + n // 2:
        nodes = nodes * 2 + 1
    return nodes


# The stdin_filter input: FILTER_ROWS rows of ~34 bytes (~200 MB), made
# once per run of this script in a temporary folder (never committed).
FILTER_ROWS = 6_000_000


def filter_row(i):
    return f"{i},city{i % 37},{i * 7919 % 100000},name{i % 1000}\n"


def filter_expected():
    matched = total = 0
    for i in range(FILTER_ROWS):
        if (i * 7919 % 100000) % 10 == 3:
            matched += 1
            total += i
    return f"stdin_filter rows={FILTER_ROWS} matched={matched} total={total}"


def write_filter_input(path):
    with open(path, "w") as f:
        for start in range(0, FILTER_ROWS, 100_000):
            f.write("".join(filter_row(i) for i in range(start, min(start + 100_000, FILTER_ROWS))))


# Workloads that read a generated file on stdin: name -> writer(path).
STDIN_FILES = {"stdin_filter": write_filter_input}

# checksum's inputs: random files of these sizes (~130 MB in all).
CHECKSUM_SIZES = [96 << 20, 32 << 20, (1 << 20) + 7]
# log_follower's size: lines the writer appends.
FOLLOW_LINES = 2_000_000


def checksum_inputs(folder, shared):
    """Writes checksum's files; returns its arguments and expected output."""
    import hashlib
    paths, lines = [], []
    for i, size in enumerate(CHECKSUM_SIZES):
        path = os.path.join(folder, f"checksum{i}.bin")
        h = hashlib.sha256()
        with open(path, "wb") as f:
            left = size
            while left:
                block = os.urandom(min(left, 1 << 20))
                f.write(block)
                h.update(block)
                left -= len(block)
        paths.append(path)
        lines.append(f"{h.hexdigest()}  {path}")
    return paths, "\n".join(lines)


def file_filter_inputs(folder, shared):
    """file_filter reads stdin_filter's CSV by name."""
    return [shared("stdin_filter")], filter_expected()


def follow_inputs(folder, shared):
    errors = len(range(4, FOLLOW_LINES, 5))
    expected = f"log_follower n={FOLLOW_LINES} lines={FOLLOW_LINES + 2} errors={errors}"
    return [os.path.join(folder, "follow.log"), str(FOLLOW_LINES)], expected


def big_program_inputs(kind):
    """P1/P2: the big program and its Python twin (benches/big_program.py);
    `tasks check` prints nothing, and neither does compile_file.py."""
    def inputs(folder, shared):
        sys.path.insert(0, HERE)
        import big_program
        paths = [os.path.join(folder, f"big_{kind}.tasks"), os.path.join(folder, f"big_{kind}.py")]
        big_program.write(*paths, BIG_PROGRAM_BYTES, kind)
        return paths, ""
    return inputs


# P1/P2's size: `tasks check` of a 10 MB program against compile() (issue 28).
BIG_PROGRAM_BYTES = 10_000_000
# P1/P2 are `tasks check FILE` against `python3 compile_file.py FILE.py`.
CHECKS = {"check_big": "ordinary", "check_flat": "flat"}
CHECK_TARGET = 2.0

# Workloads whose arguments are files in the scratch folder (instead of N):
# name -> (inputs(folder, shared) -> (arguments, expected output), grants).
FILE_ARGS = {
    "checksum": (checksum_inputs, ["read"]),
    "file_filter": (file_filter_inputs, ["read"]),
    "log_follower": (follow_inputs, ["read", "write"]),
    **{name: (big_program_inputs(kind), []) for name, kind in CHECKS.items()},
}


def tree_depth(n):
    return tree_nodes(n).bit_length() - 1


# name: (label, uses N, units(n) -> how many "tasks" the run does (for the
#        per-task cost column), unit name, expected(n) -> expected output)
WORKLOADS = {
    "spawn_sleep0": (
        "W1", True, lambda n: n, "task",
        lambda n: f"spawn_sleep0 n={n} sum={n * (n - 1) // 2}",
    ),
    "timers": (
        "W2", True, lambda n: n, "task",
        lambda n: f"timers n={n} sum={n * (n - 1) // 2}",
    ),
    "queue_pingpong": (
        "W3", True, lambda n: n, "round trip",
        lambda n: f"queue_pingpong n={n} sum={n * (n + 1) // 2}",
    ),
    "gather_tree": (
        "W4", True, tree_nodes, "node",
        lambda n: f"gather_tree depth={tree_depth(n)} nodes={tree_nodes(n)}",
    ),
    "fib": ("W5", False, None, None, lambda n: "fib(27)=196418"),
    "fib_async": ("W5", False, None, None, lambda n: "fib_async(22)=17711"),
    "event_blocked": (
        "W6", True, lambda n: n, "task",
        lambda n: f"event_blocked n={n} blocked={n} released={n}",
    ),
    # Real I/O (issue 13), fixed sizes: 500 `true` processes 16 at a time;
    # 2,000 small JSON files written, read, parsed and summed.
    "procs": ("IO-a", False, None, None, lambda n: "procs n=500 ok=500"),
    "json_files": ("IO-b", False, None, None, lambda n: "json_files n=2000 total=5995"),
    # Streams (issue 26): a ~200 MB CSV (FILTER_ROWS rows) filtered line by
    # line from stdin.
    "stdin_filter": ("IO-c", False, None, None, lambda n: filter_expected()),
    # The same CSV read from a file with fs.open; a streamed sha256 of
    # ~130 MB in three files (examples/checksum.tasks itself); a log
    # followed while a task appends 2M lines to it (run.py makes the
    # files: FILE_ARGS).
    "file_filter": ("IO-d", False, None, None, None),
    "checksum": ("IO-e", False, None, None, None),
    "log_follower": ("IO-f", False, None, None, None),
    # General workloads (issue 28): the code between the awaits, fixed sizes
    # (N = 0 picks the size in the script).
    "wordcount": ("G1", False, None, None,
                  lambda n: "wordcount n=300000 distinct=300 top=gamma10=1101,gamma32=1082,kappa3=1078"),
    "spectral_norm": ("G2", False, None, None, lambda n: "spectral_norm n=160 1.274223093"),
    "csv_strings": ("G3", False, None, None,
                    lambda n: "csv_strings n=200000 rows=200000 cities=37 first=CITY-0:2699185 "
                              "sum=99900000 longest=name10:CITY-10"),
    "closures": ("G4", False, None, None, lambda n: "closures n=4000 total=13827600"),
    "pipeline": ("G5", False, None, None, lambda n: "pipeline n=100000 keys=13 k0=392250 total=5099544"),
    "objects": ("G6", False, None, None, lambda n: "objects n=100000 total=44496000 seniors=43329 oldest=p89"),
    "fanout": ("G7", False, None, None, lambda n: "fanout n=100000 total=2399987 chars=588890"),
    "json_heavy": ("G8", False, None, None,
                   lambda n: "json_heavy n=30000 total=450075000 size=3393340 doc=3453353 oks=15000"),
    "regex_heavy": ("G9", False, None, None,
                    lambda n: "regex_heavy n=50000 error=12500 numbers=500000 bytes=3555927 fields=350000"),
    # Parsing (issue 28): `tasks check` of a 10 MB program against CPython's
    # compile() of its twin (benches/big_program.py writes both): everyday
    # code, and `x += 1` lines.
    "check_big": ("P1", False, None, None, None),
    "check_flat": ("P2", False, None, None, None),
}

# The general workloads: each at least GENERAL_TARGET times CPython's speed,
# their geometric mean at least GENERAL_MEAN_TARGET (issue 28).
GENERAL = [name for name, w in WORKLOADS.items() if w[0].startswith("G")]
GENERAL_TARGET = 2.0
GENERAL_MEAN_TARGET = 3.0

# What the I/O workloads need granted (tasks denies everything by default).
GRANTS = {
    "procs": ["--allow-run=true"],
    "json_files": ["--allow-read=.", "--allow-write=."],
}

# W6 memory: peak RSS is reached while all N tasks are parked on the event.
# Bytes per blocked task = (peak_RSS(N) - peak_RSS(BASELINE_N)) / (N - BASELINE_N),
# where the baseline run (N = 1) is the same script with (almost) no tasks, so
# the interpreter's own footprint (binary, heap arenas, CPython's modules)
# cancels out and what remains is what each blocked task costs: the task
# object, its suspended coroutine frame, its waiter registration on the
# event and its slot in the script's list of tasks.
BASELINE_N = 1

# Targets from issue 7: CPython wall time / tasks wall time must be at least this.
SPEED_TARGETS = {
    "spawn_sleep0": 8.0,
    "timers": 8.0,
    "gather_tree": 8.0,
    "queue_pingpong": 6.0,
    "fib": 2.5,
    "fib_async": 3.0,
}
# W6: tasks' bytes per blocked task must be at most this fraction of CPython's.
MEMORY_TARGET = 1 / 3


class Run:
    def __init__(self, wall, cpu, rss_kib, status, out, err, timed_out):
        self.wall = wall
        self.cpu = cpu
        self.rss_kib = rss_kib
        self.status = status
        self.out = out
        self.err = err
        self.timed_out = timed_out


# Peak RSS.  ru_maxrss from wait4 is the child's high-water mark, but on Linux
# it is never below the RSS of the process that forked it: the kernel records
# the pre-exec address space's high-water mark (here, this ~16 MiB Python
# runner's) into the child's maxrss at exec.  That floor would hide the whole
# footprint of a small interpreter.  So when GNU time is available the child
# is launched through it: time is a small fresh process, and it reports the
# wait4 ru_maxrss of its own child (KiB), whose floor is time's ~1-2 MiB.
# Without GNU time we fall back to our own wait4 and say so.
GNU_TIME = "/usr/bin/time"


def have_gnu_time():
    if not os.path.exists(GNU_TIME):
        return False
    try:
        r = subprocess.run([GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0 and r.stderr.strip().splitlines()[-1:] != [] and \
        r.stderr.strip().splitlines()[-1].isdigit()


USE_GNU_TIME = None  # set in main()


def run_once(cmd, timeout, stdin_path=None):
    """Runs cmd as a child; returns a Run with wall time, CPU time and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rssfile, \
            open(stdin_path or os.devnull, "rb") as stdin:
        full = [GNU_TIME, "-f", "%M", "-o", rssfile.name, *cmd] if USE_GNU_TIME else cmd
        t0 = time.perf_counter()
        # Own session, so a timeout kills time's child as well.
        proc = subprocess.Popen(full, stdin=stdin, stdout=out, stderr=err,
                                start_new_session=True)
        killed = []

        def kill():
            killed.append(True)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            # wait4 reaps this very child and returns its rusage (for GNU time,
            # including the child it waited for): CPU time and ru_maxrss.
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped
        rss = ru.ru_maxrss
        if USE_GNU_TIME:
            # time writes "Command exited with non-zero status N" before the
            # value when the command fails; the value is the last line.
            lines = rssfile.read().split()
            rss = int(lines[-1]) if lines and lines[-1].isdigit() else None
        out.seek(0)
        err.seek(0)
        return Run(
            wall,
            ru.ru_utime + ru.ru_stime,
            rss,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            bool(killed),
        )


def find_tasks(path):
    if path:
        if not os.path.exists(path):
            sys.exit(f"run.py: no tasks binary at {path}")
        return path
    # The `dist` profile's binary (Cargo.toml: link-time optimised, what
    # `cargo install --path . --profile dist` installs) is the one measured;
    # `--tasks target/release/tasks` measures the everyday build.
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    default = os.path.join(target, "dist", "tasks")
    if not os.path.exists(default):
        cargo = shutil.which("cargo")
        if not cargo:
            sys.exit(f"run.py: {default} is missing and cargo is not on PATH")
        print(f"run.py: {default} missing, building it with cargo ...", file=sys.stderr)
        subprocess.run([cargo, "build", "--profile", "dist"], cwd=REPO, check=True)
    return default


def fmt_s(x):
    if x is None:
        return "—"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_mib(kib):
    return "—" if kib is None else f"{kib / 1024:.1f}"


def fmt_us(x):
    if x is None:
        return "—"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", help="tasks binary (default: REPO/target/dist/tasks, built with cargo --profile dist if missing)")
    ap.add_argument("--python", default=sys.executable, help="CPython to compare against (default: this one)")
    ap.add_argument("--site", action="store_true",
                    help="run CPython with its site module (default: -S, see SITE below)")
    ap.add_argument("--runs", type=int, default=3, help="runs per implementation and size (default 3)")
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated N values")
    ap.add_argument("--only", action="append", help="workload name(s), comma-separated or repeated")
    ap.add_argument("--timeout", type=float, default=60.0, help="kill a single run after this many seconds")
    ap.add_argument("--guard", type=float, default=20.0,
                    help="skip larger sizes for an implementation whose median exceeded this (s)")
    ap.add_argument("--quiet", action="store_true", help="no per-run progress on stderr")
    args = ap.parse_args()

    global USE_GNU_TIME
    USE_GNU_TIME = have_gnu_time()
    if not USE_GNU_TIME:
        print(f"run.py: {GNU_TIME} (GNU time) not found: peak RSS comes from this runner's wait4 "
              "and cannot read below the runner's own RSS (~16 MiB)", file=sys.stderr)
    tasks = find_tasks(args.tasks)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    names = list(WORKLOADS)
    if args.only:
        wanted = [w for o in args.only for w in o.split(",") if w]
        wanted = [g for w in wanted for g in (GENERAL if w == "general" else [w])]
        unknown = [w for w in wanted if w not in WORKLOADS]
        if unknown:
            sys.exit(f"run.py: unknown workload(s) {unknown}; known: {', '.join(WORKLOADS)}")
        names = [n for n in names if n in wanted]

    scratch = tempfile.TemporaryDirectory(prefix="tasks-bench-")
    inputs = {}
    file_args = {}  # name -> (arguments, expected output)

    def argv(name, n):
        return file_args[name][0] if name in FILE_ARGS else [str(n)]

    def grants(name):
        if name in FILE_ARGS:
            return [f"--allow-{kind}={scratch.name}" for kind in FILE_ARGS[name][1]]
        return GRANTS.get(name, [])

    def script(name):
        # checksum is the example itself; its twin is benches/checksum.py.
        if name == "checksum":
            return os.path.join(REPO, "examples", "checksum.tasks")
        return os.path.join(HERE, name + ".tasks")

    def tasks_cmd(name, n):
        if name in CHECKS:
            return [tasks, "check", argv(name, n)[0]]
        return [tasks, "run", *grants(name), script(name), *argv(name, n)]

    python = [args.python] if args.site else [args.python, "-S"]

    def cpython_cmd(name, n):
        if name in CHECKS:
            return [*python, os.path.join(HERE, "compile_file.py"), argv(name, n)[1]]
        return [*python, os.path.join(HERE, name + ".py"), *argv(name, n)]

    impls = {"tasks": tasks_cmd, "cpython": cpython_cmd}

    def log(msg):
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    def stdin_for(name):
        if name not in STDIN_FILES:
            return None
        if name not in inputs:
            path = os.path.join(scratch.name, name + ".in")
            log(f"{name}: writing its input {path}")
            STDIN_FILES[name](path)
            inputs[name] = path
        return inputs[name]

    def measure(name, n, skip, count=None):
        """Alternating runs of both implementations; returns {impl: [Run]}."""
        runs = {k: [] for k in impls}
        stdin_path = stdin_for(name)
        if name in FILE_ARGS and name not in file_args:
            log(f"{name}: writing its input in {scratch.name}")
            file_args[name] = FILE_ARGS[name][0](scratch.name, stdin_for)
        for i in range(count or args.runs):
            order = list(impls) if i % 2 == 0 else list(impls)[::-1]
            for impl in order:
                if impl in skip:
                    continue
                r = run_once(impls[impl](name, n), args.timeout, stdin_path)
                runs[impl].append(r)
                state = "TIMEOUT" if r.timed_out else f"exit {r.status}"
                log(f"  {name} N={n} {impl:7} run {i + 1}: {r.wall:.3f} s, "
                    f"{fmt_mib(r.rss_kib)} MiB, {state}")
                if r.timed_out:
                    skip.add(impl)
        return runs

    load_start = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    baselines = {}
    problems = []
    # Start-up baseline (startup.tasks / startup.py): an empty program.  CPython
    # spends ~0.1 s starting and importing asyncio, which dominates the short
    # runs (fib, N = 10k); the "net" speed-up column subtracts it from both.
    log("startup baseline")
    st = measure("startup", 0, set(), max(args.runs, 5))
    startup = {k: statistics.median(r.wall for r in v) for k, v in st.items() if v}
    for name in names:
        label, uses_n, units, unit_name, expected = WORKLOADS[name]
        skip = set()  # implementations skipped for the remaining sizes
        if name == "event_blocked":
            log(f"{name}: baseline N={BASELINE_N}")
            b = measure(name, BASELINE_N, set())
            baselines = {k: statistics.median(r.rss_kib for r in v) for k, v in b.items() if v}
        for n in sizes if uses_n else [None]:
            arg = n if uses_n else 0
            log(f"{name} N={arg}")
            runs = measure(name, arg, skip)
            row = {"name": name, "label": label, "n": n, "units": units(n) if uses_n else None,
                   "unit": unit_name}
            outs = set()
            for impl, rs in runs.items():
                ok = [r for r in rs if not r.timed_out and r.status == 0]
                if rs and not ok:
                    r = rs[-1]
                    why = "timed out" if r.timed_out else f"exit {r.status}: {r.err.strip()[-300:]}"
                    problems.append(f"{name} N={arg} {impl}: {why}")
                for r in rs:
                    if r.status == 0 and not r.timed_out:
                        outs.add(r.out.strip())
                if ok:
                    row[impl] = {
                        "wall": statistics.median(r.wall for r in ok),
                        "cpu": statistics.median(r.cpu for r in ok),
                        "rss": statistics.median([r.rss_kib for r in ok if r.rss_kib is not None] or [0]),
                        "timeouts": sum(r.timed_out for r in rs),
                    }
                    if row[impl]["wall"] > args.guard:
                        skip.add(impl)
                else:
                    row[impl] = None
                    skip.add(impl)
            want = file_args[name][1] if name in FILE_ARGS else expected(arg)
            row["verified"] = bool(row["tasks"] and row["cpython"]) and outs == {want}
            if not row["verified"] and row["tasks"] and row["cpython"]:
                problems.append(f"{name} N={arg}: outputs {sorted(outs)!r}, expected {want!r}")
            rows.append(row)

    # ------------------------------------------------------------- report
    def ratio(a, b):
        return b / a if a and b else None

    load_end = os.getloadavg()
    pyver = subprocess.run([args.python, "-c", "import sys; print(sys.version.split()[0])"],
                           capture_output=True, text=True).stdout.strip()
    print(f"{started}; {os.cpu_count()} CPUs; load average {load_start[0]:.1f} at start, "
          f"{load_end[0]:.1f} at end; tasks = {tasks}; CPython {pyver}"
          f"{' with site' if args.site else ' -S'}; "
          f"medians of {args.runs} runs; peak RSS via {'GNU time' if USE_GNU_TIME else 'wait4'}")
    print()
    print("| workload | N | tasks wall s | CPython wall s | speed-up (CPython/tasks) | net of start-up | CPU-time speed-up "
          "| tasks peak RSS MiB | CPython peak RSS MiB | tasks µs/unit | CPython µs/unit | output |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        t, c = row["tasks"], row["cpython"]
        tw, cw = (t or {}).get("wall"), (c or {}).get("wall")
        r = ratio(tw, cw)
        rc = ratio((t or {}).get("cpu"), (c or {}).get("cpu"))
        rn = None
        if tw and cw and len(startup) == 2 and tw > startup["tasks"] and cw > startup["cpython"]:
            rn = (cw - startup["cpython"]) / (tw - startup["tasks"])
        us_t = tw / row["units"] * 1e6 if tw and row["units"] else None
        us_c = cw / row["units"] * 1e6 if cw and row["units"] else None
        unit = f" ({row['units']} {row['unit']}s)" if row["units"] and row["units"] != row["n"] else ""
        print(f"| {row['label']} {row['name']} | {row['n'] if row['n'] else '—'}{unit} "
              f"| {fmt_s(tw)} | {fmt_s(cw)} | {'—' if r is None else f'{r:.2f}x'} "
              f"| {'—' if rn is None else f'{rn:.2f}x'} "
              f"| {'—' if rc is None else f'{rc:.2f}x'} "
              f"| {fmt_mib((t or {}).get('rss'))} | {fmt_mib((c or {}).get('rss'))} "
              f"| {fmt_us(us_t)} | {fmt_us(us_c)} "
              f"| {'ok' if row['verified'] else ('MISMATCH' if t and c else 'not compared')} |")

    if len(startup) == 2:
        print()
        print(f"Start-up (empty program, median): tasks {startup['tasks'] * 1000:.1f} ms, "
              f"CPython {startup['cpython'] * 1000:.1f} ms")

    mem_rows = [r for r in rows if r["name"] == "event_blocked"]
    if mem_rows and baselines:
        print()
        print(f"W6 bytes per blocked task = (peak RSS at N - peak RSS at N={BASELINE_N}) / (N - {BASELINE_N}); "
              f"baseline peak RSS: tasks {fmt_mib(baselines.get('tasks'))} MiB, "
              f"CPython {fmt_mib(baselines.get('cpython'))} MiB")
        print()
        print("| N | tasks B/task | CPython B/task | tasks/CPython |")
        print("|---|---|---|---|")
        for row in mem_rows:
            per = {}
            for impl in impls:
                if row[impl] and impl in baselines:
                    per[impl] = (row[impl]["rss"] - baselines[impl]) * 1024 / (row["n"] - BASELINE_N)
            q = per["tasks"] / per["cpython"] if len(per) == 2 and per["cpython"] > 0 else None
            print(f"| {row['n']} | {per.get('tasks', 0):.0f} | {per.get('cpython', 0):.0f} "
                  f"| {'—' if q is None else f'{q:.2f}'} |")

    # Targets, judged at the largest size measured for both implementations.
    print()
    print("Targets (largest N measured by both):")
    for name in names:
        both = [r for r in rows if r["name"] == name and r["tasks"] and r["cpython"]]
        if not both:
            print(f"  {name}: not measured")
            continue
        row = both[-1]
        at = f" at N={row['n']}" if row["n"] else ""
        if name in SPEED_TARGETS:
            tw, cw = row["tasks"]["wall"], row["cpython"]["wall"]
            r = cw / tw
            want = SPEED_TARGETS[name]
            net = ""
            if len(startup) == 2 and tw > startup["tasks"] and cw > startup["cpython"]:
                rn = (cw - startup["cpython"]) / (tw - startup["tasks"])
                net = f" (net of start-up {rn:.2f}x: {'met' if rn >= want else 'missed'})"
            print(f"  {name}: {r:.2f}x{at}, target >= {want}x: {'MET' if r >= want else 'MISSED'}{net}")
        elif name == "event_blocked" and baselines:
            per = {i: (row[i]["rss"] - baselines[i]) * 1024 / (row["n"] - BASELINE_N) for i in impls}
            q = per["tasks"] / per["cpython"]
            print(f"  {name}: {per['tasks']:.0f} vs {per['cpython']:.0f} B per blocked task{at} "
                  f"({q:.2f} of CPython), target <= 0.33: {'MET' if q <= MEMORY_TARGET else 'MISSED'}")
        if row["units"]:
            pts = [r for r in rows if r["name"] == name and r["tasks"] and r["units"]]
            if len(pts) >= 2:
                a, b = pts[0], pts[-1]
                ca = a["tasks"]["wall"] / a["units"]
                cb = b["tasks"]["wall"] / b["units"]
                print(f"    tasks cost per {row['unit']}: {ca * 1e6:.2f} µs at N={a['n']} -> "
                      f"{cb * 1e6:.2f} µs at N={b['n']} ({cb / ca:.2f}x; flat is ~1x)")
    for name in names:
        if name in CHECKS:
            both = [r for r in rows if r["name"] == name and r["tasks"] and r["cpython"]]
            if both:
                t, c = both[-1]["tasks"], both[-1]["cpython"]
                r = c["cpu"] / t["cpu"] if t["cpu"] else 0
                less = t["rss"] < c["rss"]
                print(f"  {name} ({CHECKS[name]}, {BIG_PROGRAM_BYTES / 1e6:.0f} MB): CPU-time {r:.2f}x, wall "
                      f"{c['wall'] / t['wall']:.2f}x, target >= {CHECK_TARGET}x: "
                      f"{'MET' if r >= CHECK_TARGET else 'MISSED'}; peak RSS {fmt_mib(t['rss'])} against "
                      f"{fmt_mib(c['rss'])} MiB: {'less' if less else 'MORE'} than CPython")
    general = []
    for name in names:
        if name in GENERAL:
            both = [r for r in rows if r["name"] == name and r["tasks"] and r["cpython"]]
            if both:
                # CPU time, as for the checks: on a shared machine the wall
                # time also counts the waits for a CPU.
                t, c = both[-1]["tasks"], both[-1]["cpython"]
                r = c["cpu"] / t["cpu"] if t["cpu"] else 0
                general.append(r)
                print(f"  {name}: CPU-time {r:.2f}x (wall {c['wall'] / t['wall']:.2f}x), "
                      f"target >= {GENERAL_TARGET}x: {'MET' if r >= GENERAL_TARGET else 'MISSED'}")
    if general:
        mean = 1.0
        for r in general:
            mean *= r
        mean **= 1 / len(general)
        print(f"  general workloads ({len(general)}): geometric mean of CPU-time ratios {mean:.2f}x, "
              f"target >= {GENERAL_MEAN_TARGET}x: {'MET' if mean >= GENERAL_MEAN_TARGET else 'MISSED'}")
    if problems:
        print()
        print("Problems:")
        for p in problems:
            print(f"  {p}")
    skipped = [f"{r['name']} N={r['n']}" for r in rows if not (r["tasks"] and r["cpython"])]
    if skipped:
        print()
        print("Not measured for both (guard, timeout or failure): " + ", ".join(skipped))
    return 1 if any(not r["verified"] and r["tasks"] and r["cpython"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
