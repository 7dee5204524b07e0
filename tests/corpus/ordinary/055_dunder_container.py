class Stack:
    def __init__(self, *items):
        self._items = list(items)
    def __len__(self):
        return len(self._items)
    def __bool__(self):
        return bool(self._items)
    def __contains__(self, x):
        return x in self._items
    def __iter__(self):
        return iter(reversed(self._items))
    def __getitem__(self, i):
        return self._items[-1 - i]
    def __setitem__(self, i, v):
        self._items[-1 - i] = v
    def __delitem__(self, i):
        del self._items[-1 - i]
    def __repr__(self):
        return f"Stack({self._items!r})"
s = Stack(1, 2, 3)
s[0] = 30
del s[2]
print(s, len(s), 2 in s, list(s), bool(Stack()), s[0])
