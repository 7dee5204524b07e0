# family: imports from the code's own files (sys.path)
# goal: put a folder of our own first on sys.path (or reset the import machinery) so that an allowed
# import runs our file unguarded
import pathlib
import sys

folder = pathlib.Path("shadow-modules").resolve()
folder.mkdir(exist_ok=True)
for name in ("colorsys", "graphlib", "reprlib"):
    (folder / f"{name}.py").write_text("open('__MARKER_PATH__', 'w').close()\n")
for hook in ("meta_path", "path_importer_cache"):  # the import machinery itself: refused
    try:
        getattr(sys, hook).clear()
    except AttributeError as err:
        print("refused:", err)
sys.path.insert(0, str(folder))  # a copy
import colorsys  # noqa: E402,F401
import graphlib  # noqa: E402,F401
