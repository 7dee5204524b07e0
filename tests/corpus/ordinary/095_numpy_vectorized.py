import numpy as np
prices = np.array([10.0, 12.5, 9.75, 14.0])
qty = np.array([3, 1, 4, 2])
revenue = prices * qty
print(revenue, revenue.sum(), np.round(revenue / revenue.sum(), 3))
mask = revenue > 20
print(mask, prices[mask], np.count_nonzero(mask))
m = np.outer(np.arange(1, 4), np.arange(1, 4))
print(m, m.diagonal(), np.triu(m))
print(np.clip(prices, 10, 13), np.cumprod([1, 2, 3]), prices.astype(int))
