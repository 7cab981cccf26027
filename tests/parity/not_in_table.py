# `not in` against lists, strings, maps and ranges, beside `in` and
# `not (x in y)`; precedence with `+`, `and` and `not`; errors by kind.
CONTAINERS = [[1, 2, 3], [], ["a", [1]], "hello", "", {"a": 1, "b": 2}, {}, range(0, 10, 3)]
ITEMS = [1, 3, 4, "a", "ell", "", 0, 9]
for c in CONTAINERS:
    cells = []
    for x in ITEMS:
        try:
            cells.append(str(x not in c).lower() + "/" + str(x in c).lower())
        except Exception as e:
            cells.append(type(e).__name__)
    print(" ".join(cells))
xs = [2]
print(str([1] not in ["a", [1]]).lower(), str([2] not in [[1]]).lower(), str(1 + 1 not in xs).lower(), str(3 not in xs and 2 in xs).lower(), str(not 2 not in xs).lower(), str(5 not  in xs).lower())
