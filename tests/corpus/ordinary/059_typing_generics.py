from typing import Generic, TypeVar, Optional, Union, Callable

T = TypeVar("T")

class Box(Generic[T]):
    def __init__(self, item: T) -> None:
        self.item = item
    def map(self, fn: Callable[[T], T]) -> "Box[T]":
        return Box(fn(self.item))

def first(xs: list[int], default: Optional[int] = None) -> Union[int, None]:
    return xs[0] if xs else default

b: Box[int] = Box(3).map(lambda x: x * 10)
print(b.item, first([]), first([5, 6]))
print(first.__annotations__)
