import numpy as np
rng = np.random.default_rng(123)
x = rng.normal(10, 2, size=1000)
print(round(float(x.mean()), 4), round(float(x.std()), 4))
print(np.percentile(x, [25, 50, 75]).round(3))
counts, edges = np.histogram(x, bins=5)
print(counts, edges.round(2))
print(rng.integers(0, 10, size=5), np.unique([3, 1, 3, 2, 1], return_counts=True))
