def append_bad(x, acc=[]):
    acc.append(x)
    return acc
def append_good(x, acc=None):
    acc = [] if acc is None else acc
    acc.append(x)
    return acc
print(append_bad(1), append_bad(2), append_good(1), append_good(2))
grid = [[0] * 3 for _ in range(2)]
grid[0][0] = 1
alias = [[0] * 3] * 2
alias[0][0] = 1
print(grid, alias)
