# family: imports from the code's own files (sys.path)
# goal: put a folder of our own first on sys.path so that an allowed import runs our file unguarded
import pathlib
import sys

folder = pathlib.Path("shadow-modules").resolve()
folder.mkdir(exist_ok=True)
for name in ("colorsys", "graphlib", "reprlib"):
    (folder / f"{name}.py").write_text("open('__MARKER_PATH__', 'w').close()\n")
sys.path.insert(0, str(folder))
import colorsys  # noqa: E402,F401
import graphlib  # noqa: E402,F401
