import pandas as pd
s = pd.Series({"a": 1, "b": 2, "c": 3})
t = pd.Series({"b": 10, "c": 20, "d": 30})
print((s + t).fillna(0))
print(s.map(lambda v: v * 100).to_dict(), s.where(s > 1, -1).tolist())
s["e"] = 5
s.name = "vals"
print(s, s.index.tolist(), s.sum())
print(pd.Series([1, 2, 2, 3]).drop_duplicates().tolist(), pd.Series(["b", "a"]).sort_values().tolist())
