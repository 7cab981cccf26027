# Records print and compare as dataclasses do (ints, floats, lists and
# nested records print alike in both languages).
import asyncio
from dataclasses import dataclass, field


@dataclass
class Point:
    x: int
    y: int = 0


@dataclass
class Box:
    corner: Point
    size: list = field(default_factory=list)


def yes(c):
    return "yes" if c else "no"


async def main():
    p = Point(3)
    q = Point(x=3, y=0)
    print(p, q, yes(p == q), yes(p != q))
    b = Box(Point(1, 2), [1.5, 2])
    print(b)
    print([b, Point(-1, 10 ** 3)])
    b.corner.y += 40
    b.size.append(Point(0))
    print(b, yes(str(b) == repr(b)))
    print(yes(Box(Point(1, 42), [1.5, 2, Point(0)]) == b), yes(Point(1) == Box(Point(1))))
    print(yes(Point(1, 2) in [Point(2, 1), Point(1, 2)]))


asyncio.run(main())
