names = ["a", "b", "c"]
scores = [90, 80, 70]
for i, (n, s) in enumerate(zip(names, scores), start=1):
    print(i, n, s)
print(dict(zip(names, scores)), list(zip(*[(1, "x"), (2, "y")])))
print(any(s > 85 for s in scores), all(s > 60 for s in scores))
print(list(map(str.upper, names)), list(filter(lambda s: s > 75, scores)))
print(list(reversed(names)), divmod(17, 5), pow(2, 10, 1000), abs(-3.5), round(2.675, 2))
print(sum([[1], [2]], []), min(3, 1, 2), max("abc"), bin(10), oct(8), hex(255), int("ff", 16))
print(callable(len), isinstance(3, (int, float)), len(range(0, 100, 7)), list(range(10, 0, -3)))
