for n in range(2, 20):
    for d in range(2, n):
        if n % d == 0:
            break
    else:
        print(n, end=" ")
print()
i = 0
while i < 10:
    i += 3
    if i == 6:
        continue
    print("i", i)
else:
    print("loop finished at", i)
print(1 < 2 < 3, 3 > 2 == 2, "a" < "b" <= "b")
x = 5 if i > 5 else -5
assert x == 5, "x should be five"
print(x, not x, x and 0, x or 0, None is None)
