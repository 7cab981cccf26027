# Slicing over a table of (length, start, stop, step): clamping, negative
# indices and every part left out, on a list and on a string with a
# non-ASCII character (strings slice by code point); step 0 and non-int
# bounds are errors by kind.
BOUNDS = [None, -7, -5, -3, -1, 0, 1, 2, 4, 5, 7]
STEPS = [None, 1, 2, 3, -1, -2, -3, 0]
for n in [0, 1, 2, 5]:
    xs = list(range(n))
    s = "héllo"[:n]
    for step in STEPS:
        for a in BOUNDS:
            cells = []
            for b in BOUNDS:
                try:
                    cells.append(str(xs[a:b:step]) + "<" + s[a:b:step] + ">")
                except Exception as e:
                    cells.append(type(e).__name__)
            print(n, step, a, " ".join(cells))
xs = [10, 20, 30, 40, 50]
s = "abcdé"
print(xs[1:3], xs[:2], xs[3:], xs[::-1], xs[::2], xs[-2:], xs[:-2], xs[1:][1:])
print(s[1:3], s[::-1], s[-3:], s[:], s[::2], s[10:], s[-10:2])
for bad in [1.5, "1", True and 1.0]:
    try:
        print(xs[bad:])
    except Exception as e:
        print(type(e).__name__)
    try:
        print(s[:2:bad])
    except Exception as e:
        print(type(e).__name__)
big = 9223372036854775807
print(xs[-big - 1:big], xs[big::-1], xs[::-big - 1], xs[::big], s[big:-big - 1:-2])
