# Comprehension targets and assignment expressions.
pairs = [(1, 2), (3, 4), (5, 6)]
print([(b, a) for a, b in pairs])
print({a: b for a, b in pairs}, {a + b for [a, b] in pairs})
print(sum(a * b for a, b in pairs))
print([a + b + c for a, (b, c) in [(1, (2, 3)), (4, (5, 6))]])
print([rest for first, *rest in ["abc", "de", "f"]])
print([(x, y) for x, _ in pairs for y, _ in pairs if x < y])
print({k: [v for v, _ in group] for k, group in [("odd", pairs[::2]), ("even", pairs[1::2])]})

values = [y := x * 10 for x in range(4)]
print(values, "last y:", y)
print(any((hit := n) > 2 for n in range(10)), "hit:", hit)
print(all((miss := n) < 5 for n in range(3)), "miss:", miss)

data = [5, 3, 8]
while (size := len(data)) > 1:
    data.pop()
print(size, data)


def firsts(words):
    caps = [last for word in words if (last := word[:1].upper())]
    return caps, last


print(firsts(["apple", "banana", "cherry"]))
if (match_len := len("sandbox")) > 5:
    print("long word", match_len)


class Table:
    rows = [(1, "a"), (2, "b")]
    index = {key: value for key, value in rows}
    keys = [key for key, _ in rows]


print(Table.index, Table.keys)
matrix = [[1, 2], [3, 4]]
print([[row[i] for row in matrix] for i in range(2)])
print(list(zip(*matrix)), [n for row in matrix for n in row])
