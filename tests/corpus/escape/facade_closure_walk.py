# family: object-graph walks via the sys/os facades
# goal: reach the real os module through the facade's closure and create the marker
import os
getter = type(os).__getattr__
cells = getattr(getter, "__clo" + "sure__")
for cell in cells:
    value = cell.cell_contents
    if hasattr(value, "system"):
        value.system("touch __MARKER_PATH__")
