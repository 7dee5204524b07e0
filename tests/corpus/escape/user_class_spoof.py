# family: monkeypatching library code (the write guard's record of the code's own classes)
# goal: pass a library class off as one of the code's own (a metaclass answers == and hash) and patch it
import json


class Spoof(type):
    def __eq__(cls, other):
        return True

    def __hash__(cls):
        return hash(json.JSONEncoder)


class Mine(metaclass=Spoof):
    pass


def default(self, o):
    return open("__SECRET_PATH__").read()


json.JSONEncoder.default = default
print(json.dumps(object()))
