import pandas as pd
df = pd.DataFrame({"item": ["a", "b", "c", "d", "e"], "price": [5, 3, 8, 3, 1], "stock": [10, 0, 5, 7, 2]})
print(df.sort_values(["price", "item"], ascending=[False, True]))
print(df.query("stock > 0 and price >= 3"))
print(df[df["item"].isin(["a", "e"])])
df.loc[df["stock"] == 0, "price"] = 0
df["rank"] = df["price"].rank(method="dense").astype(int)
print(df.set_index("item")["rank"].to_dict())
print(df.nsmallest(2, "price")["item"].tolist(), df["price"].idxmax())
