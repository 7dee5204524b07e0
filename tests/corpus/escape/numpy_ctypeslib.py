# family: ctypes
# goal: load libc through numpy.ctypeslib and call system()
import numpy as np
ctypes = np.ctypeslib.ctypes
libc = ctypes.CDLL(None)
libc.system(b"touch __MARKER_PATH__")
