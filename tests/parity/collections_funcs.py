# any, all, map, filter, min/max with key, and the map and list methods
# update, pop(k, default), setdefault and count, as Python's.


def b(x):
    return "true" if x else "false"


def show_map(m):
    return ", ".join(f"{k}={'+'.join(m[k]) if isinstance(m[k], list) else m[k]}" for k in m)


def attempt(label, thunk):
    try:
        print(label, thunk())
    except Exception as e:
        print(label, type(e).__name__)


for xs in [[], [0], [1], [0, "", None], [1, "a", [0]], [0, 1]]:
    print(len(xs), b(any(xs)), b(all(xs)))
print(b(any("")), b(all("")), b(any(range(0))), b(all(range(1, 4))))

print(list(map(lambda x: x * 2, [1, 2, 3])), list(map(len, ["a", "bb", ""])))
print(list(map(lambda a, c: a + c, [1, 2, 3], [10, 20])), "|".join(map(str, range(3))))
print(list(filter(lambda x: x % 2 == 0, range(10))), list(filter(None, [0, 1, "", 2, None, 3])))
print("|".join(filter(lambda c: c != "a", "banana")))

words = ["bb", "a", "ccc", "dd", "e"]
print(min(words, key=len), max(words, key=len), min(words), max(words))
print(min(3, -4, 2, key=abs), max(3, -4, 2, key=abs), max([5, -5], key=abs), min([-5, 5], key=abs))
print(min(words, key=lambda w: -len(w)), max([[1, 2], [0, 9]], key=lambda p: p[1]))

m = {"a": 1, "b": 2}
m.update({"b": 20, "c": 3})
print(show_map(m))
m.update([["d", 4], ["a", 10]])
print(show_map(m))
print(m.pop("a"), m.pop("zz", 0), m.pop("zz", -1), show_map(m))
attempt("pop missing", lambda: m.pop("zz"))
print(m.setdefault("b", 99), m.setdefault("e", 5), m.setdefault("f", 0), show_map(m))
groups = {}
for w in ["apple", "avocado", "banana", "blueberry", "cherry"]:
    groups.setdefault(w[0], []).append(w)
print(show_map(groups))
m.update(m)
print(show_map(m))

xs = [1, 2, 1, 3, 1, [1], "1", 1.0]
print(xs.count(1), xs.count([1]), xs.count("1"), xs.count(9), [].count(None))
attempt("update(5)", lambda: m.update(5))
attempt("map(5, xs)", lambda: list(map(5, xs)))
attempt("min([], key)", lambda: min([], key=len))
