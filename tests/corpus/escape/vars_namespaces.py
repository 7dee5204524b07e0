# family: vars() on modules, classes and proxies
# goal: read a module's globals (its __builtins__) or a class's raw descriptors through vars(obj)
import json
import weakref

for target in (json, weakref.proxy(json), type, str):
    try:
        namespace = vars(target)
        print(namespace["__buil" + "tins__"]["open"]("__SECRET_PATH__").read())
    except (AttributeError, KeyError) as err:
        print("refused:", repr(err))
namespace = (lambda f: f())(vars)
print(namespace)
