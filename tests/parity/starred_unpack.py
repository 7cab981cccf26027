# Starred patterns: `*name` takes the items the other names leave, always
# as a new list (possibly empty), from any iterable; in any position, at
# every level of a nested pattern, in `for` targets and comprehensions,
# and in assignments to existing names and indexes. Too few values is a
# ValueError with CPython's words.
xs = [1, 2, 3, 4, 5]
[first, *rest] = xs
print(first, rest)
[*init, last] = xs
print(init, last)
[a, *mid, z] = xs
print(a, mid, z)
[a, b, *mid, y, z] = xs
print(a, b, mid, y, z)
[*copy] = xs
copy.append(6)
print(copy, xs)
[one, *none] = [1]
print(one, none)
[lo, *none, hi] = [1, 2]
print(lo, none, hi)
[h, *t] = "héllo"
print(h, "-".join(t), len(t))
[r0, *rs] = range(10, 15)
print(r0, rs)
[k0, *ks] = {"a": 1, "b": 2, "c": 3}
print(k0, "-".join(ks))
[*e] = ""
print(e)
[[p, *q], *more] = [[1, 2, 3], [4], 5]
print(p, q, more)
[[p, *q], [*r, s]] = [[1], [2, 3, 4]]
print(p, q, r, s)
[_, *_] = [7, 8, 9]
print(_)
for [k, *vs] in [[1, 2, 3], [4], [5, 6]]:
    print(k, vs, sum(vs))
print([[b, len(c)] for [b, *c] in [[1, 2], [3], [4, 5, 6]]])
print({b: c for [b, *c] in [[1, 2], [3]]})
first = 0
[first, *rest] = [rest, first]
print(first, rest)
d = [0, 0, 0]
[d[0], *d[1]] = [9, 8, 7]
print(d)
for value in [[1, 2, 3], [1, 2], [1], [], "ab", "a", range(1)]:
    try:
        [u, v, *w] = value
        print("ok", u, v, w)
    except ValueError as err:
        print("ValueError", err)
    try:
        [u, *w, v] = value
        print("ok", w)
    except ValueError as err:
        print("ValueError", err)
for value in [5, None, 1.5]:
    try:
        [u, *w] = value
    except TypeError:
        print("TypeError")
