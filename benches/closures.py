# Twin of closures.tasks.
import sys

n = int(sys.argv[1])
if n == 0:
    n = 4000


def make_adder(k):
    return lambda x: x + k


def compose(f, g):
    return lambda x: f(g(x))


def my_map(f, xs):
    out = []
    for x in xs:
        out.append(f(x))
    return out


def my_filter(p, xs):
    out = []
    for x in xs:
        if p(x):
            out.append(x)
    return out


def my_reduce(f, xs, acc):
    for x in xs:
        acc = f(acc, x)
    return acc


xs = [i for i in range(100)]
total = 0
for r in range(n):
    add = make_adder(r % 10)
    double_then_add = compose(add, lambda x: x * 2)
    ys = my_map(double_then_add, xs)
    zs = my_filter(lambda y: y % 3 == 0, ys)
    total += my_reduce(lambda a, b: a + b, zs, 0)
print(f"closures n={n} total={total}")
