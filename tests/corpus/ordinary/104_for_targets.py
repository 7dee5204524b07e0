# for-loop targets: tuples, nested, starred, lists, attributes and items.
pairs = [(1, "one"), (2, "two")]
for number, name in pairs:
    print(number, name)
for index, (number, name) in enumerate(pairs, start=1):
    print(index, number, name)
for first, *rest in [(1, 2, 3), (4,), "xyz"]:
    print(first, rest)
for *init, last in ["ab", [1, 2, 3]]:
    print(init, last)
for [a, [b, c]] in [[1, [2, 3]]]:
    print(a, b, c)


class Cursor:
    pass


cursor = Cursor()
for cursor.position in range(3):
    pass
print("cursor at", cursor.position)

slots = [None, None]
for slots[1] in "abc":
    pass
print(slots)

for cursor.row, slots[0] in [(1, "x"), (2, "y")]:
    pass
print(cursor.row, slots)

a = b = None
try:
    for a, b in [(1, 2), (3,), (5, 6)]:
        print("pair", a, b)
except ValueError as err:
    print("ValueError:", err)
print("last bound:", a, b)

for key, value in {"x": 1, "y": 2}.items():
    if value > 1:
        print("found", key)
        break
else:
    print("not found")
for x, y in []:
    pass
else:
    print("empty loop")
total = 0
for (i, j), k in zip(zip(range(3), range(3, 6)), range(6, 9)):
    total += i * j * k
print(total)
