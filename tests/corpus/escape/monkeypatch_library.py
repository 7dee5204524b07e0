# family: monkeypatching library code
# goal: replace json.dumps so later library calls run attacker code
import json
def evil(*args, **kwargs):
    return "pwned"
json.dumps = evil
json.JSONEncoder.encode = evil
print(json.dumps({}))
