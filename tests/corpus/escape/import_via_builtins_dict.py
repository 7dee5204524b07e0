# family: __import__ via builtins dicts
# goal: import os through the __builtins__ mapping
importer = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
importer("os").system("touch __MARKER_PATH__")
