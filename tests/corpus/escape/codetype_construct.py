# family: bytecode tricks (types.CodeType via type(f.__code__))
# goal: build a code object by hand
def f():
    return 0
CodeType = type(f.__code__)
FunctionType = type(f)
code = f.__code__.replace(co_names=("open",))
g = FunctionType(code, {"__builtins__": None})
print(CodeType, g)
