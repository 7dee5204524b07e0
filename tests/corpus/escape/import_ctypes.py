# family: ctypes
# goal: call libc system() through ctypes
import ctypes
ctypes.CDLL(None).system(b"touch __MARKER_PATH__")
