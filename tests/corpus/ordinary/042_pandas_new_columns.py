import pandas as pd
df = pd.DataFrame({"price": [10.0, 20.0, 30.0], "qty": [1, 3, 2]})
df["total"] = df["price"] * df["qty"]
df["expensive"] = df["price"] > 15
df.loc[df["qty"] > 1, "bulk"] = "yes"
df["bulk"] = df["bulk"].fillna("no")
df = df.assign(discounted=lambda d: d["total"] * 0.9)
df.columns = [c.upper() for c in df.columns]
print(df)
df.attrs["source"] = "test"
print(df.attrs)
