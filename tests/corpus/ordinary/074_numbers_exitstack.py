import numbers
from contextlib import ExitStack, contextmanager
print(isinstance(3, numbers.Integral), isinstance(2.5, numbers.Real), isinstance(1j, numbers.Complex))
@contextmanager
def res(name, log):
    log.append("open " + name)
    yield name
    log.append("close " + name)
log = []
with ExitStack() as stack:
    names = [stack.enter_context(res(n, log)) for n in "abc"]
    stack.callback(log.append, "callback")
    print(names)
print(log)
