import io
import pandas as pd
text = "id,name,score\n1,ann,9.5\n2,bob,7.25\n3,cid,8\n"
df = pd.read_csv(io.StringIO(text))
print(df)
buf = io.StringIO()
df[df["score"] > 8].to_csv(buf, index=False)
print(buf.getvalue())
print(df.to_json(orient="records"))
print(df.to_dict(orient="list"))
