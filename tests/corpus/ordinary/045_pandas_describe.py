import pandas as pd
df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2.5, 3.5, 1.0, 4.0, 2.0], "c": list("xyzxy")})
print(df.describe())
print(df["c"].value_counts().sort_index())
print(df[["a", "b"]].corr().round(3))
print(df.agg({"a": "sum", "b": ["min", "max"]}))
