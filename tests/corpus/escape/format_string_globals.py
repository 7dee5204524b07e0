# family: format-string leaks (str.format)
# goal: read a function's globals through a format field
import json
leak = "{0.__globals__[__builtins__]}".format(json.dumps)
print(leak[:60])
