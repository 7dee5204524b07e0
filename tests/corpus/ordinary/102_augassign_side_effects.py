# Augmented assignment to items and attributes: container and key are evaluated once.
log = []


def note(tag, value):
    log.append(tag)
    return value


class Tracked(list):
    def __getitem__(self, index):
        log.append(f"get {index}")
        return super().__getitem__(index)

    def __setitem__(self, index, value):
        log.append(f"set {index}={value}")
        super().__setitem__(index, value)


class Account:
    def __init__(self):
        self._balance = 0

    @property
    def balance(self):
        log.append("read balance")
        return self._balance

    @balance.setter
    def balance(self, value):
        log.append(f"write balance={value}")
        self._balance = value


items = Tracked([1, 2, 3])
items[note("index", 1)] += 10
print(items, log)
log.clear()

account = Account()
note("account", account).balance += 5
account.balance *= 3
print(account.balance, log)
log.clear()

counts = {}
for word in "the cat and the hat and the bat".split():
    counts[word] = counts.get(word, 0) + 1
grid = [[0] * 3 for _ in range(2)]
grid[note("row", 1)][note("col", 2)] -= 7
print(counts, grid, log)
log.clear()

text = "ab"
text *= 2
total = 10
total //= 3
total **= 2
bits = 0b1010
bits ^= 0b0110
bits <<= 1
values = Tracked([1, 2, 3])
values[note("slice", 1):] += [9]
print(text, total, bits, values, log)
