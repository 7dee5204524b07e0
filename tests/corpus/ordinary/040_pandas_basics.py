import pandas as pd
df = pd.DataFrame({"name": ["ann", "bob", "cid", "dee"], "age": [31, 25, 31, 19], "city": ["x", "y", "x", "z"]})
print(df)
print(df.shape, list(df.columns), df["age"].mean())
print(df[df["age"] > 20].sort_values("name"))
print(df.loc[1, "name"], df.iloc[-1]["city"])
print(df.dtypes.astype(str).to_dict())
