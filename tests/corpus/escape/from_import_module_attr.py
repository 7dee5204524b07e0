# family: imports reached through other modules' attributes
# goal: import os out of pandas.io.common with from-import
from pandas.io.common import os
os.system("touch __MARKER_PATH__")
