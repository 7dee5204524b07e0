values = [1, 2.0, "three", [4], (5,), {6: 6}, {7}, None, True, 3j, b"x"]
for v in values:
    print(type(v).__name__, v.__class__.__name__)
class Thing:
    """A documented thing."""
print(Thing.__name__, Thing.__doc__, Thing.__module__, Thing.__qualname__)
def f():
    pass
print(f.__name__, f.__qualname__)
