from dataclasses import dataclass, field, replace, fields, InitVar

@dataclass(frozen=True)
class Money:
    amount: int
    currency: str = "EUR"

@dataclass
class Account:
    owner: str
    balance: Money = field(default_factory=lambda: Money(0))
    history: list = field(default_factory=list, repr=False)
    bonus: InitVar[int] = 0
    def __post_init__(self, bonus):
        if bonus:
            self.balance = replace(self.balance, amount=self.balance.amount + bonus)
            self.history.append(("bonus", bonus))

a = Account("ann", bonus=5)
print(a, a.history, [f.name for f in fields(a)])
try:
    a.balance.amount = 1
except Exception as e:
    print(type(e).__name__)
print(Money(3) == Money(3), hash(Money(1)) == hash(Money(1)))
