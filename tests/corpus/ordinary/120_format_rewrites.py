# f-strings and str.format with attribute and item fields.
from dataclasses import dataclass


@dataclass
class Item:
    name: str
    price: float
    tags: tuple


item = Item("lamp", 12.5, ("home", "light"))
width = 8
print(f"{item.name=} {item.price:>{width}.2f} {item.tags[0]!r} {item.name.upper()!s:^10}|")
print(f"{len(item.tags) + 1 = }", f"{'nested ' + item.tags[-1]}", f"{{literal}} {item.price:%}")
print("{0.name} costs {0.price:.1f} [{0.tags[1]}]".format(item))
print("{item.name}/{tags[0]}".format(item=item, tags=item.tags))
print(format(item.price, "08.3f"), "%s-%05.1f" % (item.name, item.price), "{:,}".format(1234567))
rows = [("a", 1), ("bb", 22)]
for name, value in rows:
    print(f"{name:<4}|{value:>4}|")
