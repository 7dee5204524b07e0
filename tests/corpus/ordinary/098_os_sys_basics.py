import os
import sys

print(sys.version_info >= (3, 8), sys.maxsize > 2**31, type(sys.argv).__name__)
print(os.path.join("data", "raw", "file.csv"), os.path.splitext("report.final.txt"))
print(os.path.basename("/a/b/c.py"), os.path.dirname("/a/b/c.py"), os.sep)
sys.stdout.write("written directly\n")
print(sorted(os.path.normpath(p) for p in ["a//b", "a/./c", "a/d/../e"]))
