import math
print(math.sqrt(16), math.pi, math.e, math.tau)
print(math.floor(-2.5), math.ceil(2.1), math.trunc(-2.7), round(2.5), round(3.5))
print(math.gcd(12, 18), math.lcm(4, 6), math.factorial(10), math.comb(10, 3), math.perm(5, 2))
print(math.log(100, 10), math.log2(1024), math.isclose(0.1 + 0.2, 0.3), math.hypot(3, 4))
print(math.inf > 10**100, math.isnan(float("nan")), math.prod([1, 2, 3, 4]), math.dist((0, 0), (3, 4)))
