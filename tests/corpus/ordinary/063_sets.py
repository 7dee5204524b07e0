a = {1, 2, 3, 4}
b = {3, 4, 5}
print(sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b))
print(a.issubset({1, 2, 3, 4, 5}), {3}.isdisjoint(b), frozenset([1, 1, 2]))
a.add(10)
a.discard(1)
a -= {2}
print(sorted(a), len(a), 10 in a)
print(sorted({x % 3 for x in range(10)}))
