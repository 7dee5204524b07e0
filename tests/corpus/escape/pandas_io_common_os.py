# family: imports reached through other modules' attributes
# goal: get os from pandas.io.common and create the marker
import pandas as pd
os_module = pd.io.common.os
os_module.system("touch __MARKER_PATH__")
