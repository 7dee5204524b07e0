# family: imports outside the allow-list
# goal: create the marker with os.system
import os
os.system("touch __MARKER_PATH__")
