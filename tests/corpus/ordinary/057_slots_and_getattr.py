class Point:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y

class Lazy:
    def __getattr__(self, name):
        return f"computed {name}"

p = Point(1, 2)
p.x = 10
try:
    p.z = 3
except AttributeError:
    print("no z")
print(p.x, p.y, Point.__slots__)
lz = Lazy()
print(lz.anything, getattr(lz, "other"))
