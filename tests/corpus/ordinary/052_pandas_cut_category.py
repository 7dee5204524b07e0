import pandas as pd
ages = pd.Series([5, 17, 25, 42, 67, 80])
bins = pd.cut(ages, bins=[0, 18, 65, 100], labels=["child", "adult", "senior"])
print(bins.tolist())
print(bins.value_counts().sort_index().to_dict())
cat = pd.Categorical(["lo", "hi", "mid", "lo"], categories=["lo", "mid", "hi"], ordered=True)
print(sorted(cat), cat.codes.tolist())
print(pd.qcut(ages, 2, labels=False).tolist())
