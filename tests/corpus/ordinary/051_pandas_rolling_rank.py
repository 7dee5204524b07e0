import pandas as pd
s = pd.Series([3, 1, 4, 1, 5, 9, 2, 6])
print(s.rolling(3).mean().round(3).tolist())
print(s.rank().tolist(), s.cumsum().tolist())
print(s.pct_change().round(3).iloc[1:4].tolist())
print(s.nlargest(3).tolist(), s.clip(2, 5).tolist(), s.shift(1).fillna(0).astype(int).tolist())
