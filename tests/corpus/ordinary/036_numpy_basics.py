import numpy as np
a = np.arange(12).reshape(3, 4)
print(a)
print(a.shape, a.dtype, a.sum(), a.sum(axis=0), a.mean(axis=1))
print(a[1], a[:, 2], a[a % 2 == 0])
b = a * 2 + 1
print(b.max(), b.argmax(), np.where(b > 10, 1, 0).sum())
print(np.linspace(0, 1, 5), np.zeros((2, 2)), np.ones(3, dtype=int))
