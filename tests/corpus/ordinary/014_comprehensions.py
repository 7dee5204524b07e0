nums = range(1, 11)
squares = [n * n for n in nums]
evens = {n for n in nums if n % 2 == 0}
table = {n: n ** 3 for n in nums if n < 5}
pairs = [(a, b) for a in range(3) for b in range(a)]
nested = [[i * j for j in range(3)] for i in range(3)]
print(squares)
print(sorted(evens))
print(table)
print(pairs)
print(nested)
print([y for x in nested for y in x if y])
