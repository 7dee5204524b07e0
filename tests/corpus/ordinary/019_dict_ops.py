d = {"b": 2, "a": 1}
d["c"] = 3
d.update(d=4)
d.setdefault("e", 5)
print(d, list(d.keys()), sum(d.values()))
print(d.get("z", "none"), d.pop("a"), d)
merged = d | {"x": 9}
print(merged, {**d, "b": 20})
inv = {v: k for k, v in d.items()}
print(inv)
for k, v in sorted(d.items(), key=lambda kv: kv[1], reverse=True)[:2]:
    print(k, v)
