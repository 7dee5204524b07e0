# Rewrites inside class bodies leave no helper names behind.
import contextlib


class Shape:
    sides, name = info = (4, "square")
    corners = [(x, y) for x in (0, 1) for y in (0, 1)]
    lookup = {label: index for index, label in enumerate(["a", "b"])}
    for first, *others in [(1, 2, 3)]:
        pass
    with contextlib.nullcontext((5, 6)) as (width, height):
        area = width * height
    [left, right] = "LR"
    total = 0
    total += sides


public = sorted(name for name in dir(Shape) if not name.startswith("__"))
print(public)
print(Shape.sides, Shape.name, Shape.info, Shape.corners, Shape.lookup)
print(Shape.first, Shape.others, Shape.width, Shape.height, Shape.area, Shape.left, Shape.right, Shape.total)


def build():
    class Local:
        a, b = c = [1, 2]

    return Local


Local = build()
print(Local.a, Local.b, Local.c, sorted(n for n in dir(Local) if not n.startswith("__")))
