# Several targets in one assignment: the value is evaluated once, targets are assigned left to right.
calls = []


def make(value):
    calls.append(value)
    return value


p, q = q, p = 1, 2
print("swap chain:", p, q)

(a, b) = c = make((3, 4))
print(a, b, c, "calls:", len(calls))

c = [d, e] = f, *g = make([5, 6])
print(c, d, e, f, g, "calls:", len(calls))

first = second = third = make([])
first.append("shared")
print(first, second, third, first is third)


class Settings:
    width, height = size = (640, 480)


print(Settings.width, Settings.height, Settings.size)
print(sorted(name for name in dir(Settings) if not name.startswith("__")))


def split(pair):
    left, right = both = pair
    return left, right, both


print(split(("x", "y")))

a = b = c = "unset"
try:
    a, b = c = (1, 2, 3)
except ValueError as err:
    print("ValueError:", err)
print("after failure:", a, b, c)

row = col = 0
row, col = pos = col + 1, row + 2
print(row, col, pos)
