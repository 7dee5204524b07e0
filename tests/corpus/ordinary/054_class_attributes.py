class Registry:
    count = 0
    items = []
    def __init__(self, name):
        Registry.count += 1
        self.name = name
        type(self).items.append(name)
    @classmethod
    def create(cls, name):
        return cls(name.title())
    @staticmethod
    def valid(name):
        return name.isalpha()

Registry("a"); Registry.create("bee")
print(Registry.count, Registry.items, Registry.valid("x1"))
Registry.extra = "added"
print(Registry.extra, hasattr(Registry, "extra"), getattr(Registry, "missing", "default"))
setattr(Registry, "count", 0)
print(Registry.count)
