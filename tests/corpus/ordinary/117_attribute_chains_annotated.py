# Attribute chains, annotated stores to attributes and items, super() calls with keywords.
class Node:
    def __init__(self, value, child=None):
        self.value = value
        self.child = child


root = Node(1, Node(2, Node(3)))
root.child.child.value += 10
root.child.value *= 5
print(root.value, root.child.value, root.child.child.value)
root.child.child.child: Node = Node(4)
slots: list = [0, 0]
slots[1]: int = 7
count: int
print(root.child.child.child.value, slots)


class Base:
    def __init__(self, **options):
        self.options = options

    def render(self, prefix=""):
        return prefix + ",".join(f"{k}={v}" for k, v in sorted(self.options.items()))


class Widget(Base):
    def __init__(self, name, **options):
        super().__init__(name=name, **options)

    def render(self, prefix=">"):
        return super().render(prefix=prefix) + "!"


w = Widget("ok", width=3, height=2)
print(w.render(), Widget.render(w, prefix="*"), type(w).__name__, isinstance(w, Base))


class Vector:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __iadd__(self, other):
        self.x += other.x
        self.y += other.y
        return self

    def __repr__(self):
        return f"Vector({self.x}, {self.y})"


holder = Node(Vector(1, 2))
holder.value += Vector(3, 4)
vectors = [Vector(0, 0)]
vectors[0] += Vector(1, 1)
print(holder.value, vectors)
