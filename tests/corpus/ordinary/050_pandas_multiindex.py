import pandas as pd
df = pd.DataFrame({"k1": ["a", "a", "b", "b"], "k2": [1, 2, 1, 2], "v": [10, 20, 30, 40]})
m = df.set_index(["k1", "k2"])
print(m)
print(m.loc["a"], m.xs(2, level="k2"))
print(m.unstack())
print(m.groupby(level=0).sum())
