# except ... as: the name is unbound after the handler; del of names, items and attributes.
def risky(kind):
    if kind == "value":
        raise ValueError("bad value")
    if kind == "key":
        raise KeyError("missing")
    return "fine"


for kind in ["value", "key", "none"]:
    try:
        result = risky(kind)
    except (KeyError, ValueError) as err:
        print(type(err).__name__, repr(err), err.args)
    else:
        print("result", result)
    finally:
        print("done", kind)
try:
    err
except NameError as missing:
    print("NameError:", missing)

err = "kept?"
try:
    raise RuntimeError("x")
except RuntimeError as err:
    pass
try:
    print(err)
except NameError:
    print("the handler unbound err, though it was bound before")


class Thing:
    pass


thing, items, table = Thing(), [1, 2, 3, 4], {"a": 1, "b": 2}
thing.a, thing.b = 1, 2
del items[0], table["a"], thing.a
del items[1:]
a, b, c = 1, 2, 3
del (a, b), [c]
print(items, table, thing.__dict__)
try:
    print(a)
except NameError as gone:
    print("NameError:", gone)
try:
    raise ValueError("outer")
except ValueError as outer:
    try:
        raise KeyError("inner") from outer
    except KeyError as inner:
        print(repr(inner), repr(inner.__cause__))
