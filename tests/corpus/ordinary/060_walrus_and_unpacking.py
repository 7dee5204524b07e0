data = [3, 8, 1, 9, 4]
if (n := len(data)) > 3:
    print(f"long list ({n})")
first, *middle, last = data
print(first, middle, last)
(a, b), c = (1, 2), 3
print(a, b, c)
def stats(*args, **kwargs):
    return len(args), sorted(kwargs)
print(stats(*data, **{"x": 1, "y": 2}))
merged = [*data[:2], *range(2)]
print(merged, {**{"a": 1}, "b": 2})
values = [y for x in data if (y := x * 2) > 6]
print(values)
