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
# A range's slice is a range.
R = [range(10), range(3, 20, 4), range(10, 0, -3), range(0), range(-5, 5)]
RB = [None, -12, -3, -1, 0, 2, 5, 12]
for r in R:
    for step in [None, 2, -1, -2, 5]:
        for a in RB:
            print(r, step, a, " ".join([str(r[a:b:step]) for b in RB]))
print(range(10)[::-1], list(range(10)[2:8:3]), len(range(100)[::7]), sum(range(10)[1::2]))
