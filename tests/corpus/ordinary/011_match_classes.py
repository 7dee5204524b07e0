from dataclasses import dataclass
from enum import Enum

class Shape(Enum):
    SQUARE = "square"
    CIRCLE = "circle"

@dataclass
class Point:
    x: int
    y: int

def where(p):
    match p:
        case Point(x=0, y=0):
            return "origin"
        case Point(x=0, y=y):
            return f"on y axis at {y}"
        case Point(x, 0):
            return f"on x axis at {x}"
        case Point():
            return "somewhere"

print([where(p) for p in [Point(0, 0), Point(0, 5), Point(3, 0), Point(1, 1)]])
for s in Shape:
    match s:
        case Shape.SQUARE:
            print("four sides")
        case Shape.CIRCLE:
            print("round")
