from fractions import Fraction
a = Fraction(1, 3) + Fraction(1, 6)
print(a, a.numerator, a.denominator, float(a))
print(Fraction("3/4") * 2, Fraction(0.75), Fraction(22, 7).limit_denominator(5))
print(sum(Fraction(1, n) for n in range(1, 6)))
