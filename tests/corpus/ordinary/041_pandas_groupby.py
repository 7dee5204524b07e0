import pandas as pd
df = pd.DataFrame({
    "team": ["a", "b", "a", "c", "b", "a"],
    "score": [10, 20, 30, 40, 50, 60],
    "games": [1, 2, 3, 1, 2, 3],
})
g = df.groupby("team")
print(g["score"].sum())
print(g.agg(total=("score", "sum"), best=("score", "max"), n=("games", "count")))
print(df.groupby(["team", "games"]).size())
print(g["score"].transform("mean").tolist())
