# family: monkeypatching library code (through a weakref proxy)
# goal: replace a module's function and a library class's method through proxies, which pass the write guard
import json
import weakref


def leak(*args, **kwargs):
    return open("__SECRET_PATH__").read()


for target, name in ((json, "dumps"), (json.JSONEncoder, "encode")):
    try:
        setattr(weakref.proxy(target), name, leak)
    except TypeError as err:
        print("refused:", err)
weakref.proxy(json).dumps = leak
print(json.dumps({}))
