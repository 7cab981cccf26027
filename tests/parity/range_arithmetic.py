# len, sum, in and indexing on ranges are answered without walking them:
# these ranges are far too long to materialise.
BIG = 1000000000000000
RANGES = [
    range(0), range(5), range(10, 0), range(10, 0, -3), range(-7, 8, 4),
    range(100000000), range(BIG), range(-BIG, BIG, 7), range(BIG, -BIG, -13),
    range(3037000499), range(5, 6), range(6, 5, -1), range(0, -5, -1),
]
PROBES = [0, 1, -1, 4, 5, 7, 9, 10, -7, 13, 99999999, 100000000, BIG - 1, BIG, -BIG]
# CPython walks the range for anything but an int: small ranges only.
ODD_PROBES = [4.0, 4.5, -0.0, 10.0, "4", None]
def i64(v):
    # tasks ints are 64-bit: a sum past that is an OverflowError there.
    return str(v) if -2**63 <= v < 2**63 else "OverflowError"

def total(r):
    # CPython's sum() walks the range; past a million items take the
    # closed form of the arithmetic series instead (exact with Python ints).
    if len(r) <= 1000000:
        return sum(r)
    return len(r) * (r[0] + r[-1]) // 2

for r in RANGES:
    print(len(r), i64(total(r)), i64(total(r) + 10))
    probes = PROBES + ODD_PROBES if len(r) <= 1000000 else PROBES
    print(" ".join("1" if p in r else "0" for p in probes))
    cells = []
    for i in [0, 1, -1, 2, -2, 99999999, -100000000, BIG - 1, -BIG]:
        try:
            cells.append(str(r[i]))
        except IndexError:
            cells.append("IndexError")
    print(" ".join(cells))
