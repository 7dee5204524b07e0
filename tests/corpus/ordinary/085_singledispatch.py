from functools import singledispatch

@singledispatch
def show(x):
    return f"object {x!r}"

@show.register
def _(x: int):
    return f"int {x}"

@show.register(list)
def _list(x):
    return "list of " + ", ".join(show(i) for i in x)

print(show(3), "|", show("s"), "|", show([1, "a"]))
