def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b

def take(n, it):
    for i, x in enumerate(it):
        if i >= n:
            return
        yield x

print(list(take(10, fib())))
gen = (x * x for x in range(5))
print(sum(gen))
def relay():
    yield from range(3)
    yield from "ab"
print(list(relay()))
