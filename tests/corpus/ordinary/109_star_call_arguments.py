# Calls with *args and **kwargs, keyword names included, in CPython's order of evaluation.
import functools

order = []


def arg(name, value):
    order.append(name)
    return value


def show(*args, **kwargs):
    return args, kwargs


options = {}
print(show(1, func=2, **options))
print(show(*[1, 2], func=len, obj=3))
print(dict(func="f", **{"self": "s", "args": "a"}))
print(show(arg("a", 1), *arg("b", [2, 3]), k=arg("c", 4), **arg("d", {"e": 5})), order)
print(max(*[3, 1, 2], key=lambda v: -v), min(*"hello"), sorted(*[[3, 1, 2]], reverse=True))


def apply(func, *args, **kwargs):
    return func(*args, **kwargs)


print(apply(pow, 2, 5), apply(show, "inner", **{"x": 1}))
partial = functools.partial(show, 1, func="p")
print(partial(*[2], **{"y": 3}))
print("{0}-{1}-{name}".format(*["a", "b"], **{"name": "c"}))
numbers = [[1, 2], [3, 4]]
print(list(zip(*numbers)), [*map(sum, numbers)], {**{"a": 1}, **{"b": 2}})
