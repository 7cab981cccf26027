import asyncio

# sorted() is stable in both directions: with reverse=True, items with equal keys
# keep their original order (Python does not reverse a stable ascending sort).

words = ["bb", "a", "cc", "d", "eee", "ff", "g", "hhh"]
pairs = [[1, "x"], [0, "y"], [1, "z"], [0, "w"], [2, "v"], [1, "u"]]


def first(p):
    return p[0]


async def main():
    print(" ".join(sorted(words, key=len)))
    print(" ".join(sorted(words, key=len, reverse=True)))
    for p in sorted(pairs, key=first, reverse=True):
        print(p[0], p[1])
    print(sorted([3, 1, 2, 1.0, 3.0], reverse=True))
    print(" ".join(sorted(words, key=None, reverse=True)))


asyncio.run(main())
