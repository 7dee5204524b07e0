# Unpacking targets: starred, nested, list targets, and what is bound when unpacking fails.
head, *tail = range(5)
*init, last = "python"
left, *middle, right = [1, 2]
*everything, = (7, 8)
[x, y] = {"k1": 1, "k2": 2}
(m, *n), o = [1, 2, 3], 4
a, (b, (c, d)) = 1, (2, (3, 4))
[e, [f, *g]] = [5, (6, 7, 8)]
print(head, tail, init, last, left, middle, right, everything)
print(x, y, m, n, o, a, b, c, d, e, f, g)

p = q = r = "unset"
try:
    p, (q, r) = 10, (20,)
except ValueError as err:
    print("ValueError:", err)
print("bound before the failure:", p, q, r)

for bad in [(1,), (1, 2, 3), 5]:
    try:
        one, two = bad
    except (ValueError, TypeError) as err:
        print(type(err).__name__, err)

try:
    s, *t, u = [1]
except ValueError as err:
    print("ValueError:", err)


def numbers():
    for i in range(3):
        print("yield", i)
        yield i


first, *rest = numbers()
print("unpacked", first, rest)
k, v = sorted({"b": 2, "a": 1}.items())[0]
print(k, v)
