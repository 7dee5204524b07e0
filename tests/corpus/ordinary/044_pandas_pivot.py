import pandas as pd
df = pd.DataFrame({
    "month": ["jan", "jan", "feb", "feb", "mar"],
    "region": ["n", "s", "n", "s", "n"],
    "sales": [100, 80, 120, 90, 130],
})
print(df.pivot(index="month", columns="region", values="sales"))
print(df.pivot_table(index="region", values="sales", aggfunc=["sum", "mean"]))
print(pd.crosstab(df["month"], df["region"]))
print(df.melt(id_vars="month", value_vars=["sales"]).head(2))
