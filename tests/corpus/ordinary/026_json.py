import json
data = {"name": "ann", "scores": [9.5, 7], "active": True, "meta": None, "nested": {"k": [1, {"z": 2}]}}
text = json.dumps(data, sort_keys=True)
print(text)
print(json.dumps(data, indent=2)[:60])
back = json.loads(text)
print(back == data, back["nested"]["k"][1]["z"])
class Enc(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, set):
            return sorted(o)
        return super().default(o)
print(json.dumps({"s": {3, 1, 2}}, cls=Enc))
try:
    json.loads("{bad json}")
except json.JSONDecodeError as e:
    print("decode error at", e.pos)
