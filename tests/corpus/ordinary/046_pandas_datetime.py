import pandas as pd
idx = pd.date_range("2024-01-01", periods=6, freq="D")
s = pd.Series(range(6), index=idx)
print(s.resample("2D").sum())
print(s.index.strftime("%d/%m").tolist())
df = pd.DataFrame({"when": pd.to_datetime(["2024-03-01", "2024-07-15"])})
df["month"] = df["when"].dt.month
df["dow"] = df["when"].dt.day_name()
print(df)
print((df["when"].max() - df["when"].min()).days)
