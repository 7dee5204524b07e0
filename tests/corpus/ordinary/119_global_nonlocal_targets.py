# Unpacking and chained assignment to global and nonlocal names.
x = y = z = 0


def set_globals():
    global x, y, z
    x, y = z = (1, 2)


set_globals()
print(x, y, z)


def counter():
    low = high = 0

    def bump(pair):
        nonlocal low, high
        low, high = both = pair
        return both

    bump((3, 4))
    return low, high


print(counter())


def swap_all(values):
    values[0], values[-1] = values[-1], values[0]
    return values


print(swap_all([1, 2, 3]), swap_all(list("ab")))
a, b = 1, 2
a, b = b, a
c = d = a + b
print(a, b, c, d)
fib = [0, 1]
for _ in range(8):
    prev, last = fib[-2:]
    fib.append(prev + last)
print(fib)
