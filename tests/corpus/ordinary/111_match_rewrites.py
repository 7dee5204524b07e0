# match statements: dotted value patterns, class and mapping patterns, or-patterns, guards.
import enum
from dataclasses import dataclass


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3


class Limits:
    LOW = 10
    HIGH = 100


@dataclass
class Point:
    x: int
    y: int


def describe(value):
    match value:
        case Color.RED | Color.GREEN:
            return "warm or green"
        case [Color.BLUE, *rest]:
            return f"blue then {rest}"
        case {"level": Limits.LOW, **others}:
            return f"low level with {sorted(others)}"
        case {"level": Limits.HIGH}:
            return "high level"
        case Point(x=0, y=Limits.LOW):
            return "point on the low line"
        case Point(x, y) if x == y:
            return f"diagonal {x}"
        case Point(x=px) as point:
            return f"point at x={px} ({point.y})"
        case (Limits.LOW, second) | [second, Limits.HIGH]:
            return f"pair with {second}"
        case str() as text if (n := len(text)) > 3:
            return f"long text {n}"
        case _:
            return "other"


samples = [Color.RED, Color.GREEN, [Color.BLUE, 1, 2], {"level": 10, "a": 1, "b": 2}, {"level": 100},
           Point(0, 10), Point(4, 4), Point(5, 6), (10, "ten"), ["hundred", 100], "sandbox", "abc", 42]
for sample in samples:
    print(describe(sample))


class Palette:
    match Color.BLUE:
        case Color.BLUE:
            primary = True
        case _:
            primary = False


print(Palette.primary, sorted(name for name in dir(Palette) if not name.startswith("__")))
