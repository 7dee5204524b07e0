class Typed:
    def __class_getitem__(cls, item):
        return f"{cls.__name__}[{item.__name__}]"

class Meta(type):
    def __new__(mcls, name, bases, ns):
        ns["created_by"] = mcls.__name__
        return super().__new__(mcls, name, bases, ns)
    def __call__(cls, *args):
        inst = super().__call__(*args)
        inst.tagged = True
        return inst

class Model(metaclass=Meta):
    def __init__(self, x):
        self.x = x

m = Model(4)
print(Typed[int], Model.created_by, m.tagged, m.x, type(Model).__name__)
