# round() with digits at the edges: ties on the exact binary value, digits
# past every float's range either way, ints rounded to tens and beyond.
MAX = 9223372036854775807
MIN = -MAX - 1
FLOATS = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 2.675, 0.125, 0.375, 14.6, 15.0, 25.0, -25.0, 24.5,
          44.5, 99.5, 1234.5678, 1e-20, 1.5e-300, 5e-324, 1e22, 1.7976931348623157e308,
          float("inf"), float("-inf"), float("nan"), 123456789.0]
DIGITS = [MIN, -400, -309, -308, -307, -25, -19, -3, -2, -1, 0, 1, 2, 3, 17, 20, 30, 323, 324, 400, MAX]
for x in FLOATS:
    cells = []
    for d in DIGITS:
        try:
            cells.append(str(round(x, d)))
        except Exception as e:
            cells.append(type(e).__name__)
    print(x, " ".join(cells))
INTS = [0, 5, 15, 25, -25, 1234, -1234, 1250, 1350, 99999, 4611686018427387904, -4611686018427387904]
for i in INTS:
    cells = []
    for d in [-1000000, -40, -39, -38, -20, -5, -3, -2, -1, 0, 3]:
        try:
            cells.append(str(round(i, d)))
        except Exception as e:
            cells.append(type(e).__name__)
    print(i, " ".join(cells))
for x in [0.5, 1.5, 2.5, -0.5, -2.5, 1e18, 9.2e18, -9.223372036854775808e18, float("inf"), float("nan")]:
    try:
        print(x, round(x), int(x))
    except Exception as e:
        print(x, type(e).__name__)
