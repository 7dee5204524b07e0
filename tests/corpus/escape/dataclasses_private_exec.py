# family: functools/collections internals (module-private exec helpers)
# goal: use dataclasses' private code generator to exec a string
import dataclasses
fn = dataclasses._create_fn("f", (), ["return __import__('os').system('touch __MARKER_PATH__')"], globals={})
fn()
