from contextlib import contextmanager, suppress

class Tracker:
    def __init__(self, name):
        self.name = name
    def __enter__(self):
        print("enter", self.name)
        return self
    def __exit__(self, exc_type, exc, tb):
        print("exit", self.name, exc_type.__name__ if exc_type else None)
        return exc_type is KeyError

@contextmanager
def tag(name):
    print(f"<{name}>")
    yield name.upper()
    print(f"</{name}>")

with Tracker("a") as t, tag("b") as b:
    print("inside", t.name, b)
with Tracker("c"):
    raise KeyError("x")
with suppress(ZeroDivisionError):
    1 / 0
print("done")
