# Ints and floats compare exactly (no rounding of big ints to floats), and
# every order with a NaN is false; lists compare by their first differing
# items under the same operator.
NAN = float("nan")
INF = float("inf")
MAX = 9223372036854775807
VALUES = [NAN, INF, -INF, 0.0, -0.0, 0, 1, 1.0, 0.5, 1.5, -1.5, MAX, MAX - 1, -MAX - 1,
          9.223372036854775808e18, -9.223372036854775808e18, 9.223372036854774784e18,
          9007199254740993, 9007199254740992, 9007199254740992.0, 9007199254740994.0,
          -9007199254740993, -9007199254740992.0]
OPS = [
    ["<", lambda a, b: a < b],
    ["<=", lambda a, b: a <= b],
    [">", lambda a, b: a > b],
    [">=", lambda a, b: a >= b],
    ["==", lambda a, b: a == b],
    ["!=", lambda a, b: a != b],
]
for name, op in OPS:
    for a in VALUES:
        print(name, a, "".join("1" if op(a, b) else "0" for b in VALUES))
xs = [1, NAN]
for name, op in OPS:
    print(name, int(op([1, NAN], [1, 2])), int(op([1, 2], [1, NAN])), int(op([float("nan")], [float("nan"), 1])),
          int(op(xs, xs)), int(op([MAX], [9.223372036854775808e18])), int(op([[1, 2.5]], [[1, 2]])))
print(min([NAN, 1]), min([1, NAN]), max([NAN, 1]), max([1, NAN]), min(MAX, 9.223372036854775808e18))
print(int(MAX in [9.223372036854775808e18]), int(9007199254740993 in [9007199254740992.0]), int(2.0 in [1, 2]))
