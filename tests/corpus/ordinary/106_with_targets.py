# with-statement targets: each item is entered after the previous one's target is bound.
events = []


class Resource:
    def __init__(self, value):
        self.value = value

    def __enter__(self):
        events.append(f"enter {self.value}")
        return self.value

    def __exit__(self, kind, error, trace):
        events.append(f"exit {self.value}" + (f" ({kind.__name__})" if kind else ""))
        return False


with Resource((1, 2)) as (a, b):
    print("pair", a, b)
with Resource((1, 2)) as (a, b), Resource(a + b) as c, Resource((c, 4)) as [d, e], Resource(d * e) as f:
    print("chain", a, b, c, d, e, f)
with Resource([1, [2, 3]]) as [x, [y, z]], Resource("plain") as w:
    print("nested", x, y, z, w)
with Resource((1, 2, 3)) as (head, *tail):
    print("starred", head, tail)
print(events)
events.clear()

try:
    with Resource((1,)) as (a, b), Resource("never") as c:
        print("body")
except ValueError as err:
    print("ValueError:", err)
print(events)
events.clear()


class Holder:
    pass


holder, slots = Holder(), [0, 0]
with Resource(5) as holder.value, Resource((6, 7)) as (slots[0], holder.other):
    print(holder.value, holder.other, slots)


def read_pair():
    with Resource(("key", "value")) as (key, value):
        return key + "=" + value


print(read_pair(), events)
