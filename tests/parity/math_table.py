import math

# math's functions over a table of ordinary and special arguments: each
# result as Python prints it, or the error's kind and message. Floats print
# with repr in both languages; bools are spelled as tasks spells them.

inf = math.inf
nan = math.nan
ARGS = [0, 1, -1, 2, 0.5, -0.5, 10, 1e-300, 1e300, 1000, -1000, -0.0, inf, -inf, nan, 7.25]
ONE = ["sqrt", "exp", "log", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan",
       "floor", "ceil", "trunc", "isnan", "isinf", "isfinite", "fabs"]


def show(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v)


def attempt(label, thunk):
    try:
        print(label, show(thunk()))
    except Exception as e:
        msg = str(e)
        if msg.startswith("cannot convert float infinity"):
            msg = "(infinity)"
        print(label, type(e).__name__, msg)


print(math.pi, math.e, math.tau, math.inf, -math.inf, math.nan)
for name in ONE:
    f = getattr(math, name)
    for x in ARGS:
        # Python's ints are unbounded; tasks's are 64-bit (golden math/errors).
        if name in ["floor", "ceil", "trunc"] and x == 1e300:
            continue
        attempt(f"{name}({show(x)})", lambda: f(x))

TWO = [(2, 10), (2, 0.5), (-8, 1 / 3), (0, -1), (0.0, 0), (10, 400), (inf, -1), (-inf, 3),
       (0.5, -inf), (1, nan), (nan, 0), (-2, 3), (1e-300, 2), (100, 10), (8, 2), (2, 1), (1, 1),
       (5, 0), (0, 5), (-1, 2), (3, -0.0), (-0.0, -3.5)]
for x, y in TWO:
    attempt(f"pow({show(x)}, {show(y)})", lambda: math.pow(x, y))
    attempt(f"log({show(x)}, {show(y)})", lambda: math.log(x, y))
    attempt(f"atan2({show(x)}, {show(y)})", lambda: math.atan2(x, y))

HYPOT = [[], [3], [-3], [3, 4], [3, 4, 12], [1e308, 1e308], [1e-320, 1e-320], [inf, nan],
         [nan, 1], [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4, 5, 6, 7], [-0.0, 0.0], [5e-324, 5e-324]]
for xs in HYPOT:
    attempt(f"hypot{xs}", lambda: math.hypot(*xs))

GCD = [[], [12], [-12], [12, 18], [-12, 18], [0, 0], [0, 7], [17, 5], [2 ** 40, 6 ** 20],
       [12, 18, 27], [9223372036854775807, 3]]
for xs in GCD:
    attempt(f"gcd{xs}", lambda: math.gcd(*xs))

for label, thunk in [("sqrt('x')", lambda: math.sqrt("x")), ("gcd(2.0)", lambda: math.gcd(2.0)),
                     ("floor(nil)", lambda: math.floor(None))]:
    try:
        thunk()
    except TypeError:
        print(label, "TypeError")
print(math.floor(7) + 1, math.trunc(-7), type(math.floor(2.5)).__name__)
