# family: imports reached through other modules' attributes (standard modules newly on the allow-list)
# goal: reach os, builtins or native code through shutil, gzip, codecs, tarfile, zipfile, ast, types, sqlite3
import ast
import codecs
import gzip
import shutil
import sqlite3
import tarfile
import types
import zipfile

attempts = {
    "shutil.os": lambda: shutil.os.system("touch __MARKER_PATH__"),
    "gzip.builtins": lambda: gzip.builtins.open("__SECRET_PATH__").read(),
    "codecs.builtins": lambda: codecs.builtins.open("__SECRET_PATH__").read(),
    "tarfile.os": lambda: tarfile.os.system("touch __MARKER_PATH__"),
    "zipfile.os": lambda: zipfile.os.system("touch __MARKER_PATH__"),
    "ast.sys": lambda: ast.sys.modules["os"].system("touch __MARKER_PATH__"),
    "types.CodeType": lambda: getattr(types, "Code" + "Type"),
    "sqlite3 extension": lambda: getattr(sqlite3.connect(":memory:"), "enable_load" + "_extension")(True),
}
for what, attempt in attempts.items():
    try:
        print(what, attempt())
    except AttributeError as err:
        print(what, "refused:", err)
