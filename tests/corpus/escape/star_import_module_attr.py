# family: imports reached through other modules' attributes
# goal: pull os into scope with a star import
from pandas.io.common import *
os.system("touch __MARKER_PATH__")
