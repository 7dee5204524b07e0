# family: imports reached through other modules' attributes (the os facade's functions)
# goal: reach the real os module from a function the facade hands out, and run a shell
import os
real_os = getattr(os.getcwd, "__se" + "lf__")
real_os.system("touch __MARKER_PATH__")
