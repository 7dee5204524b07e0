from typing import NamedTuple
from collections import namedtuple

class Point(NamedTuple):
    x: int
    y: int = 0
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)

P2 = namedtuple("P2", "a b")
p = Point(3, -4)
print(p, p.norm1(), p._replace(y=1), p._asdict())
print(P2(1, 2), P2._fields)
