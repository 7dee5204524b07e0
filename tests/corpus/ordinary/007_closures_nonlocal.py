def make_counter(start=0):
    count = start
    def inc(step=1):
        nonlocal count
        count += step
        return count
    return inc

c = make_counter(10)
c(); c(5)
print(c())
adders = [lambda x, n=n: x + n for n in range(3)]
print([f(10) for f in adders])
