import numpy as np
from scipy import stats, optimize, integrate
res = optimize.minimize_scalar(lambda x: (x - 2) ** 2 + 1)
print(round(float(res.x), 4), round(float(res.fun), 4))
val, err = integrate.quad(lambda x: x ** 2, 0, 3)
print(round(val, 6))
t = stats.ttest_ind([1, 2, 3, 4, 5], [2, 3, 4, 5, 9])
print(round(float(t.statistic), 4), round(float(stats.norm.cdf(1.96)), 4))
print(round(float(stats.pearsonr([1, 2, 3, 4], [2, 4, 5, 9])[0]), 4), np.round(stats.zscore([1, 2, 3]), 4))
