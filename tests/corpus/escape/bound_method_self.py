# family: bound methods' __self__ and __func__, descriptors' __objclass__
# goal: reach the real builtins module or a function's globals from a method
import json

attempts = {
    "print.__self__": lambda: print.__self__.open("__SECRET_PATH__").read(),
    "len.__self__": lambda: len.__self__.__dict__["open"]("__SECRET_PATH__").read(),
    "__func__ globals": lambda: getattr(json.JSONEncoder().encode.__func__, "__glo" + "bals__"),
    "__objclass__": lambda: getattr(str.join.__objclass__, "__subcl" + "asses__")(),
}
for what, attempt in attempts.items():
    try:
        print(what, attempt())
    except AttributeError as err:
        print(what, "refused:", err)
