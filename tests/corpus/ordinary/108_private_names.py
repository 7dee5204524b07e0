# Private (double-underscore) names are mangled with the class name, in reads as in writes.
class Account:
    __rate = 2

    def __init__(self, owner, balance):
        self.owner = owner
        self.__balance = balance

    def deposit(self, amount):
        self.__balance += amount
        return self

    def total(self):
        return self.__balance * self.__rate

    def describe(self):
        return f"{self.owner}: {self.__balance=} at {self.__rate!r}"

    def lazy(self):
        return lambda: [self.__balance for _ in range(2)]

    class __Ledger:
        def __init__(self):
            self.__entries = ["opened"]

        def entries(self):
            return self.__entries

    def ledger(self):
        return self.__Ledger().entries()


account = Account("ada", 10).deposit(11)
print(account.total(), account.describe(), account.lazy()(), account.ledger())
print(account._Account__balance, getattr(account, "_Account__rate"), hasattr(account, "__balance"))
try:
    account.__balance
except AttributeError as err:
    print("AttributeError:", err)
print(sorted(name for name in dir(Account) if name.startswith("_Account")))


class _Hidden:
    def __init__(self):
        self.__value = 1
        self.__visible__ = 2

    def get(self):
        return self.__value, self.__visible__


print(_Hidden().get(), sorted(_Hidden().__dict__))


class Base:
    def __init__(self):
        self.__tag = "base"

    def base_tag(self):
        return self.__tag


class Child(Base):
    def __init__(self):
        super().__init__()
        self.__tag = "child"

    def child_tag(self):
        return self.__tag


child = Child()
print(child.base_tag(), child.child_tag(), sorted(child.__dict__))
