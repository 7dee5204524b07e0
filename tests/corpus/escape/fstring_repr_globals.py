# family: format-string leaks (f-strings with !r)
# goal: print a function's globals through an f-string
def f():
    pass
print(f"{f.__globals__!r}"[:80])
print(f"{f.__builtins__!r}"[:80])
