# Subscripts: slices, tuples of slices, Ellipsis, item reads and stores in chains.
import numpy as np


class Echo:
    def __getitem__(self, key):
        return key


echo = Echo()
print(echo[1], echo[1:2], echo[::2], echo[1:2, ::3], echo[...], echo[:, None], echo["k", 0])
grid = np.arange(24).reshape(2, 3, 4)
print(grid[1, :, ::2].tolist(), grid[..., -1].tolist(), grid[:, None].shape, grid[0][1][2])
grid[0, 1:, 0] += 100
grid[grid > 120] = -1
print(grid[0].tolist())
words = ["alpha", "beta", "gamma"]
print(words[-1][::-1], words[1:][0][1:3], "".join(w[0] for w in words[::-1]))
nested = {"a": [{"b": (1, 2)}]}
print(nested["a"][0]["b"][-1])
matrix = [[1, 2, 3], [4, 5, 6]]
matrix[1][1:] = [50, 60]
matrix[0][::2] = ["x", "y"]
print(matrix)
