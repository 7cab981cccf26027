# Twin of number_fast_paths.tasks.
xs = [1.5, -2.25, 0.1, 1e308, 3, -7]
for a in xs:
    for b in xs:
        print(a + b, a - b, a * b, "-" if b == 0 else a / b)
print(0.1 + 0.2, 1 / 3, 1.0 / 3, 2 * 0.5, 9007199254740993 + 0.0, -0.0 * 1)
print(9007199254740993 + 0.5, 9007199254740993 * 1.0, 0.5 - 9007199254740993, 9007199254740993 / 2.0)
for f in [lambda: 1.5 / 0, lambda: 1.5 / 0.0, lambda: 1 + "a"]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__)
ys = [10, 20, 30]
print(ys[0], ys[2], ys[-1], ys[-3])
for i in [3, -4]:
    try:
        print(ys[i])
    except IndexError:
        print("IndexError", f"list index {i} is out of range (length 3)")
