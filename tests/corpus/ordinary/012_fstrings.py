name, value, ratio = "widget", 1234.5678, 0.4567
print(f"{name!r:>10} | {value:,.2f} | {ratio:.1%} | {42:08b} | {255:#x}")
items = {"a": 1, "b": 2}
print(f"{items['a'] + items['b']=}")
width = 12
print(f"[{name:^{width}}]")
class P:
    def __init__(self):
        self.label = "pt"
    def __format__(self, spec):
        return f"P<{spec}>"
print(f"{P():xyz} {P().label}")
