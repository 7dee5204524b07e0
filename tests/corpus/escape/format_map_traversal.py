# family: format-string leaks (format_map)
# goal: walk to the real builtins through format_map fields
class Holder:
    pass
h = Holder()
print("{h.__init__.__globals__}".format_map({"h": h})[:80])
