#!/usr/bin/env python3
"""A big program and its Python twin, for `tasks check` against CPython's compile().

    python3 benches/big_program.py OUT.tasks OUT.py [BYTES] [ordinary|flat]

run.py's P1/P2 workloads write them to its scratch folder (BYTES defaults
to 10 MB): "ordinary" repeats a unit of everyday code (a struct/class, a
function with a loop, an if/else-if chain, a while, a comprehension,
f-strings with specs, named arguments, a call), each unit with its own
names and numbers so no two are the same text; "flat" is `x += 1` lines
(issue 28's first measurement). Both twins are the same shape line for
line, so each side reads about the same number of bytes and statements.
"""

import sys


def unit_tasks(i):
    a, b = i % 7, i % 11
    return f'''struct Job{i} {{ name, timeout = {b} }}
# unit {i}: a function, a call and a struct
fn work{i}(a, b = {a}) {{
    let total = 0
    let xs = [a, b, {i}, "x{i}", 1.5e{a}]
    let m = {{"k{i}": [1, 2, a], "n": b * {b} + a // 3}}
    for k, v in m.items() {{
        total = total + len(f"{{k}}={{v!r}}")
    }}
    if a > b and not (a == {a}) {{
        total += a - b
    }} else if a == b or b in xs {{
        total -= 1 # a comment
    }} else {{
        total = total * 2 % 5
    }}
    while total > 100 {{ total = total - 7 }}
    let job = Job{i}(name: "job{i}", timeout: total)
    print(f"{{job.name}}: {{total:>8}} {{xs[1:3]}} {{-a ** 2}}")
    return [x * 2 for x in range(total) if x % 3 == {a}]
}}
work{i}({b}, b: {a})
'''


def unit_py(i):
    a, b = i % 7, i % 11
    return f'''class Job{i}:
    def __init__(self, name, timeout={b}): self.name, self.timeout = name, timeout
# unit {i}: a function, a call and a class
def work{i}(a, b={a}):
    total = 0
    xs = [a, b, {i}, "x{i}", 1.5e{a}]
    m = {{"k{i}": [1, 2, a], "n": b * {b} + a // 3}}
    for k, v in m.items():
        total = total + len(f"{{k}}={{v!r}}")

    if a > b and not (a == {a}):
        total += a - b

    elif a == b or b in xs:
        total -= 1 # a comment

    else:
        total = total * 2 % 5

    while total > 100: total = total - 7
    job = Job{i}(name="job{i}", timeout=total)
    print(f"{{job.name}}: {{total:>8}} {{xs[1:3]}} {{-a ** 2}}")
    return [x * 2 for x in range(total) if x % 3 == {a}]

work{i}({b}, b={a})
'''


def write(tasks_path, py_path, size=10_000_000, kind="ordinary"):
    """Writes both twins of about `size` bytes each."""
    if kind == "flat":
        n = size // len("x += 1\n")
        with open(tasks_path, "w") as f:
            f.write("let x = 0\n" + "x += 1\n" * n)
        with open(py_path, "w") as f:
            f.write("x = 0\n" + "x += 1\n" * n)
        return
    with open(tasks_path, "w") as t, open(py_path, "w") as p:
        written, i = 0, 0
        while written < size:
            u = unit_tasks(i)
            t.write(u)
            p.write(unit_py(i))
            written += len(u)
            i += 1


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000_000
    write(sys.argv[1], sys.argv[2], size, sys.argv[4] if len(sys.argv) > 4 else "ordinary")
