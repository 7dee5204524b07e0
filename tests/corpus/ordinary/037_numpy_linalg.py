import numpy as np
m = np.array([[2.0, 1.0], [1.0, 3.0]])
v = np.array([1.0, 2.0])
print(m @ v, np.dot(v, v), m.T)
x = np.linalg.solve(m, v)
print(np.round(x, 6), np.allclose(m @ x, v))
print(round(float(np.linalg.det(m)), 6), np.round(np.linalg.inv(m), 4))
vals = np.linalg.eigvalsh(m)
print(np.round(vals, 4))
