import random
random.seed(42)
print(random.randint(1, 100), random.random() < 1, random.choice("abcdef"))
items = list(range(10))
random.shuffle(items)
print(items)
print(random.sample(range(100), 5), round(random.uniform(1, 2), 6))
rng = random.Random(7)
print([rng.randrange(10) for _ in range(5)], round(rng.gauss(0, 1), 6))
