from dataclasses import dataclass, field, asdict

@dataclass(order=True)
class Item:
    name: str
    price: float
    tags: list = field(default_factory=list)

items = [Item("pear", 1.5), Item("apple", 0.5, ["red"]), Item("fig", 3.0)]
print(sorted(items))
print(asdict(items[1]))
print(max(items, key=lambda i: i.price).name)
