import enum

class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3

class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1

print(Color.RED, Color(2).name, [c.name for c in Color])
print(Perm.R | Perm.W, int(Perm.R | Perm.X), Perm.W in (Perm.R | Perm.W))
