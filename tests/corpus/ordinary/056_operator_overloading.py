class Money:
    def __init__(self, cents):
        self.cents = cents
    def __add__(self, other):
        return Money(self.cents + (other.cents if isinstance(other, Money) else other))
    __radd__ = __add__
    def __mul__(self, k):
        return Money(self.cents * k)
    def __lt__(self, other):
        return self.cents < other.cents
    def __eq__(self, other):
        return self.cents == other.cents
    def __hash__(self):
        return hash(self.cents)
    def __str__(self):
        return f"${self.cents / 100:.2f}"
    def __neg__(self):
        return Money(-self.cents)
total = sum([Money(150), Money(275)], Money(0))
print(total, total * 2, -total, Money(1) < Money(2), len({Money(1), Money(1)}))
m = Money(5)
m += 10
print(m)
