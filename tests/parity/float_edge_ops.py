# Float arithmetic at the edges: inf, nan, signed zeros, huge values, and
# ints mixed in; every operator against every value, errors by kind.
INF = float("inf")
NAN = float("nan")
VALUES = [0.0, -0.0, 1.0, -1.0, 5.0, -5.0, 2.5, -0.5, 0.1, 1e300, -1e300, 5e-324, INF, -INF, NAN, 3, -7, 0]
OPS = [
    ["//", lambda a, b: a // b],
    ["%", lambda a, b: a % b],
    ["/", lambda a, b: a / b],
    ["*", lambda a, b: a * b],
    ["+", lambda a, b: a + b],
    ["-", lambda a, b: a - b],
]
for name, op in OPS:
    for a in VALUES:
        cells = []
        for b in VALUES:
            try:
                cells.append(str(op(a, b)))
            except Exception as e:
                cells.append(type(e).__name__)
        print(a, name, " ".join(cells))
for a in VALUES:
    print(a, -a, abs(a), int(a == a), int(a < 1), int(a > -1))
