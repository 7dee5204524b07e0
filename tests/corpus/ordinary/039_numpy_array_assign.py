import numpy as np
a = np.zeros((3, 3), dtype=int)
a[1, :] = 5
a[:, 0] += 1
a[2][2] = 9
a[a == 0] = -1
print(a)
b = np.arange(5)
b[1:3] *= 10
print(b, b.cumsum(), np.diff(b))
c = np.array([3, 1, 2])
c.sort()
print(c, np.argsort([30, 10, 20]), np.concatenate([c, c]), np.stack([c, c]).shape)
