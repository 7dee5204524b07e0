from functools import reduce, partial, lru_cache, cached_property, total_ordering
print(reduce(lambda a, b: a * b, range(1, 6)))
int2 = partial(int, base=2)
print(int2("1011"))

@lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
print(fib(60), fib.cache_info().hits > 0)

@total_ordering
class V:
    def __init__(self, v):
        self.v = v
    def __eq__(self, o):
        return self.v == o.v
    def __lt__(self, o):
        return self.v < o.v

class Data:
    @cached_property
    def total(self):
        print("computing")
        return 42
d = Data()
print(V(1) <= V(2), V(3) >= V(2), d.total, d.total)
