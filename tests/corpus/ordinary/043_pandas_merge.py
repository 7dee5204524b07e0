import pandas as pd
left = pd.DataFrame({"id": [1, 2, 3], "name": ["ann", "bob", "cid"]})
right = pd.DataFrame({"id": [2, 3, 4], "score": [88, 92, 75]})
print(pd.merge(left, right, on="id"))
print(left.merge(right, on="id", how="outer").sort_values("id"))
print(pd.concat([left, left]).reset_index(drop=True).tail(2))
print(left.set_index("id").join(right.set_index("id"), how="left"))
