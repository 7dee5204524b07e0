import pandas as pd
df = pd.DataFrame({"name": [" Ann ", "bob", "CID"], "score": [1, 2, 3]})
df["clean"] = df["name"].str.strip().str.lower()
df["len"] = df["clean"].apply(len)
df["grade"] = df["score"].map({1: "c", 2: "b", 3: "a"})
df["both"] = df.apply(lambda r: f"{r['clean']}:{r['score']}", axis=1)
print(df[["clean", "len", "grade", "both"]])
print(df["clean"].str.contains("b").sum(), df["clean"].str.upper().tolist())
