# List and map comprehensions: filters, nested `for` clauses read left to
# right, the order in which iterables, tests and items are evaluated, a
# map comprehension's repeated keys, unpacking in `for`, names that do not
# leak, `await` inside one in an async function, errors by kind.
import asyncio

log = []
def note(tag, v):
    log.append(tag + str(v))
    return v

async def double(n):
    await asyncio.sleep(0.01)
    return n * 2

async def main():
    xs = [3, -1, 4, -1, 5, -9, 2, 6]
    print([x * x for x in xs if x > 0])
    print([x for x in xs if x > 0 if x % 2 == 0])
    print([[i, j] for i in range(4) for j in range(i) if (i + j) % 2 == 1])
    print([y for row in [[1, 2], [3], [], [4, 5, 6]] for y in row])
    print([[y for y in range(x)] for x in range(4)])
    print({k % 3: k for k in range(10)})
    print({n: n * n for n in range(6) if n % 2 == 0})
    m = {"a": 1, "b": 2, "c": 3}
    inverted = {v: k for [k, v] in m.items()}
    print(sorted(inverted.keys()), "".join([inverted[i] for i in range(1, 4)]))
    print(" ".join([k + str(v) for k, v in m.items() if v != 2]))
    print("".join([c.upper() for c in "héllo" if c != "l"]))
    print(sum([i for i in range(101)]), len([0 for _ in range(7)]))
    x = "outer"
    print([x for x in [1, 2]], x)
    ys = [note("item", y) for y in note("iter", [1, 2, 3]) if note("test", y) != 2]
    print(ys, " ".join(log))
    print([await double(n) for n in range(5)])
    print({n: await double(n) for n in range(3)})
    pairs = [[1, [2, 3]], [4, [5, 6]]]
    print([a + b * c for [a, [b, c]] in pairs])
    for bad in [5, None]:
        try:
            print([z for z in bad])
        except TypeError:
            print("TypeError")
    try:
        print({[k]: 1 for k in range(2)})
    except TypeError:
        print("TypeError")
    try:
        print([1 // (z - 2) for z in range(4)])
    except ZeroDivisionError:
        print("ZeroDivisionError")

asyncio.run(main())
