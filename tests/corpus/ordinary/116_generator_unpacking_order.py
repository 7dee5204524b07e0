# Unpacking and iteration consume generators in CPython's order, interleaved with the prints.
def produce(n, label):
    for i in range(n):
        print(f"  {label} yields {i}")
        yield i


print("unpack two")
a, b = produce(2, "g1")
print("got", a, b)
print("starred")
first, *rest = produce(3, "g2")
print("got", first, rest)
print("for with tuple target")
for i, value in enumerate(produce(2, "g3")):
    print("loop", i, value)
print("comprehension")
squares = [x * x for x in produce(2, "g4")]
print(squares)
print("generator expression, lazily")
lazy = (x + 1 for x in produce(3, "g5"))
print("created")
print(next(lazy), list(lazy))
print("too many")
try:
    p, q = produce(3, "g6")
except ValueError as err:
    print("ValueError:", err)
print("zip stops early")
print(list(zip(produce(3, "g7"), "ab")))
pairs = ((i, i * 2) for i in produce(2, "g8"))
print({k: v for k, v in pairs})
