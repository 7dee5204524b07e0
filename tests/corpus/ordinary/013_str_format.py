class Box:
    def __init__(self):
        self.w, self.h = 3, 4
b = Box()
print("{} + {} = {}".format(1, 2, 3))
print("{0} {1} {0}".format("a", "b"))
print("{name}:{age:>4}".format(name="ann", age=7))
print("w={0.w} h={0.h}".format(b))
print("{d[key]} {l[1]}".format(d={"key": "v"}, l=[0, 9]))
print("{:*^11.3f}".format(3.14159))
print("{a}-{b}".format_map({"a": 1, "b": 2}))
print("%s has %d items (%.1f%%)" % ("cart", 3, 12.5))
