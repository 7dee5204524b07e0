from decimal import Decimal, getcontext, ROUND_HALF_UP
print(Decimal("0.1") + Decimal("0.2"), 0.1 + 0.2)
print(Decimal("1.005").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
getcontext().prec = 6
print(Decimal(1) / Decimal(7))
print(sum(Decimal("19.99") for _ in range(3)), Decimal("2").sqrt())
