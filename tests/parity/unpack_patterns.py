# Unpacking into list patterns: the right side is evaluated first (so a
# swap works), targets are stored left to right (an index target's parts
# are evaluated when it is stored), patterns nest, any iterable unpacks,
# and a wrong count is a ValueError with CPython's words.
[a, b] = [1, 2]
[a, b] = [b, a]
print(a, b)
[a, b, c] = [10, 20, 30]
[a, b, c] = [b, c, a]
print(a, b, c)
[a, b] = [0, 1]
fib = []
for _ in range(10):
    fib.append(a)
    [a, b] = [b, a + b]
print(fib)
[x, [y, z], w] = [1, "yz", range(3)]
print(x, y, z, w[2])
xs = [0, 0, 0]
i = 0
[i, xs[i]] = [2, 7]
print(i, xs)
[xs[0], xs[1]] = [xs[1], xs[0]]
print(xs)
[p, q] = "hé"
print(q, p)
[r0, r1, r2] = range(3)
print(r0 + r1 + r2)
[k1, k2] = {"one": 1, "two": 2}
print(k1, k2)
m = {"a": [1, 2], "b": [3, 4]}
for [k, [lo, hi]] in m.items():
    print(k, lo, hi, hi - lo)
for k, v in m.items():
    print(k, v)
pairs = [[1, "x"], [2, "y"]]
for [n, s] in pairs:
    print(n * 2, s * n)
for value in [[1, 2, 3], [1], [], "abc", "ab", [[1, 2], [3]]]:
    try:
        [u, v] = value
        print("ok", u, v)
    except ValueError as e:
        print("ValueError", e)
    try:
        [u, [v, t]] = value
        print("ok", u, v, t)
    except ValueError as e:
        print("ValueError", e)
    except TypeError as e:
        print("TypeError")
for value in [5, None, 1.5]:
    try:
        [u, v] = value
    except TypeError as e:
        print("TypeError")
