# family: imports reached through other modules' attributes
# goal: spawn a shell via matplotlib.cbook.subprocess
import matplotlib.cbook as cbook
cbook.subprocess.run(["sh", "-c", "touch __MARKER_PATH__"])
