# family: __import__ via builtins dicts (vars/globals)
# goal: read builtins from a module namespace
import json
ns = vars(json)
print(ns["__builtins__"]["open"]("__SECRET_PATH__").read())
g = globals()
print(g)
