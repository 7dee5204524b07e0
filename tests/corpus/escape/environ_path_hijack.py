# family: programs libraries start (PATH from the environment)
# goal: put scripts of our own first on PATH (putenv, then os.environ) and let pandas' to_clipboard run one
import os
import pathlib

import pandas as pd

bin_dir = pathlib.Path("hijack-bin").resolve()
bin_dir.mkdir(exist_ok=True)
for name in ("xclip", "xsel", "wl-copy", "klipper", "qdbus"):
    script = bin_dir / name
    script.write_text("#!/bin/sh\n/usr/bin/touch __MARKER_PATH__\ncat > /dev/null\n")
    script.chmod(0o755)
try:
    os.putenv("PATH", str(bin_dir))  # the real environment: refused
except AttributeError as err:
    print("refused:", err)
os.environ["PATH"] = str(bin_dir) + os.pathsep + os.environ.get("PATH", "")  # the session's copy
os.environ["DISPLAY"] = ":0"
os.environ["WAYLAND_DISPLAY"] = "wayland-0"
pd.DataFrame({"a": [1]}).to_clipboard()
