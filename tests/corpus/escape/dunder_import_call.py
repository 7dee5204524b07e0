# family: __import__ via builtins dicts
# goal: call __import__ directly
os_module = __import__("os")
os_module.system("touch __MARKER_PATH__")
