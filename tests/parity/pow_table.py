# `**` over a table: ints stay exact, negative int exponents give floats,
# floats follow CPython's float_pow (signed zeros, inf, nan), errors by
# kind. Pairs whose answer would not fit in 64 bits, or where Python
# gives a complex number, are left out of the table.
INF = float("inf")
NAN = float("nan")
BASES = [0, 1, -1, 2, -2, 3, -3, 10, 0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.0, 1e300, 5e-324, INF, -INF, NAN]
EXPS = [0, 1, 2, 3, -1, -2, 0.0, -0.0, 1.0, 2.0, -1.0, 3.0, -3.0, 0.5, 400.0, -400.0, INF, -INF, NAN]
for a in BASES:
    cells = []
    for b in EXPS:
        if a < 0 and type(b) == float and b == b and b != INF and b != -INF and b != int(b):
            cells.append("-")
            continue
        try:
            cells.append(str(a ** b))
        except Exception as e:
            cells.append(type(e).__name__)
    print(a, "**", " ".join(cells))
print(-2 ** 2, (-2) ** 2, 2 ** 3 ** 2, 2 ** -1, -2 ** -2, 2 * 3 ** 2, 3 ** 2 * 2)
n = 7
print(n ** 2, -n ** 2, n ** n, 2 ** 62, (-2) ** 63, 3 ** 39, 10 ** 18)
