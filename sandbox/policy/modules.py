"""What may be imported, and what of it: the module tables of the policy, each entry with its reason.

The allow-list, the modules kept off it and why, the denied submodules and module attributes, and the
`sys` / `os` facades. Loaded inside the box too: the standard library only.
"""

from __future__ import annotations

#: Modules a data-analysis program may import (top-level names). Submodules follow their parent,
#: except those in DENIED_MODULES. A module is left out only when it leads around the guards (see
#: NOT_IMPORTABLE); files, memory, CPU and the network are the box's to bound, not the allow-list's.
DEFAULT_IMPORTS: frozenset[str] = frozenset(
    {
        # the list
        "math", "statistics", "random", "datetime", "json", "re", "collections", "itertools",
        "functools", "decimal", "fractions", "string", "numpy", "pandas", "matplotlib", "scipy",
        # ordinary, side-effect-free helpers that everyday programs use
        "dataclasses", "typing", "enum", "operator", "heapq", "bisect", "copy", "textwrap", "pprint",
        "time", "calendar", "unicodedata", "abc", "numbers", "cmath", "array", "contextlib",
        "hashlib", "base64", "binascii", "csv", "io", "uuid", "zoneinfo", "difflib", "html",
        "struct", "warnings", "typing_extensions", "graphlib", "secrets", "locale", "types", "ast",
        "stat", "codecs", "colorsys", "ipaddress", "reprlib", "keyword", "tomllib", "xml", "urllib",
        # files in the box's own folders, compression, threads, logging: the box bounds them all
        "pathlib", "glob", "fnmatch", "shlex", "weakref", "threading", "queue", "concurrent", "logging",
        "zlib", "gzip", "bz2", "lzma", "zipfile", "tarfile", "shutil", "tempfile", "filecmp", "sqlite3",
    }
)  # fmt: skip

#: Standard modules that stay off the allow-list, and why: each hands out what the guards exist to
#: keep away (frames' and modules' namespaces, unguarded attribute reads, code objects, processes,
#: native code, the kernel's own channels). The import refusal says the reason.
NOT_IMPORTABLE: dict[str, str] = {
    "subprocess": "it starts programs, which run without the guards; compute in Python here",
    "multiprocessing": "it starts processes that run without the guards; use threading or concurrent.futures",
    "pty": "it starts programs, which run without the guards; compute in Python here",
    "ctypes": "it calls native code and reads or writes any memory; compute with numpy",
    "cffi": "it calls native code and reads or writes any memory; compute with numpy",
    "mmap": "it maps raw memory and files; read files with open() or pandas",
    "gc": "gc.get_objects and gc.get_referrers reach every object, the real builtins and modules included; "
    "keep references to what you need",
    "inspect": "it reads any attribute without the guards (getmembers) and reaches frames; use dir() and getattr()",
    "traceback": "it walks frames, and its frame summaries hold code objects (Python 3.13+); print(repr(err))",
    "pickle": "unpickling runs arbitrary calls; use json, csv or parquet",
    "shelve": "it unpickles, which runs arbitrary calls; use json or sqlite3",
    "marshal": "it builds code objects from bytes; use json",
    "copyreg": "it registers pickle reducers; use json",
    "importlib": "it imports around the allow-list and loads code from files; use an import statement",
    "pkgutil": "it imports modules by name around the allow-list; use an import statement",
    "runpy": "it runs modules and files without the checks; write the code in the cell",
    "code": "it runs code strings without the checks; write the code in the cell",
    "codeop": "it compiles code strings without the checks; write the code in the cell",
    "pdb": "the debugger runs typed code without the checks; print the values you want to see",
    "bdb": "the debugger base reaches frames; print the values you want to see",
    "pydoc": "it imports modules by name and starts pagers and browsers; print(obj.__doc__)",
    "builtins": "it holds the unguarded builtins; the guarded ones are already in scope",
    "socket": "unix sockets reach the kernel's own channels and the tool bridge (and the box has no network); "
    "use the tools you were given",
    "select": "it waits on the kernel's own descriptors; use threading and queue",
    "selectors": "it waits on the kernel's own descriptors; use threading and queue",
    "asyncio": "it opens sockets and starts processes; write ordinary functions",
    "signal": "signal handlers receive frames, and the kernel's interrupt is its own; raise an exception to stop",
    "platform": "it runs programs found on PATH (platform.architecture runs 'file'); read sys.platform or os.uname()",
    "webbrowser": "it runs the program named by BROWSER; put the URL in your answer",
}

#: Modules user code gets as facades: a stand-in that holds only these attributes of the real module.
#: The real `sys` and `os` reach the whole interpreter (sys.modules, frames) and the operating system
#: (processes, exec, raw descriptors); ordinary programs only need the harmless parts. Read-only
#: information and file operations are in (the box bounds files); `sys.path` is a copy, and
#: `os.environ` / `os.getenv` are the session's own copy of the environment (see guards).
FACADES: dict[str, frozenset[str]] = {
    "sys": frozenset({
        "argv", "orig_argv", "version", "version_info", "hexversion", "api_version", "implementation",
        "platform", "byteorder", "maxsize", "maxunicode", "float_info", "int_info", "hash_info",
        "float_repr_style", "thread_info", "flags", "getsizeof", "getrefcount", "getrecursionlimit",
        "setrecursionlimit", "get_int_max_str_digits", "set_int_max_str_digits", "getdefaultencoding",
        "getfilesystemencoding", "getfilesystemencodeerrors", "getswitchinterval", "getallocatedblocks",
        "intern", "is_finalizing", "stdout", "stderr", "stdin", "exit", "exc_info", "exception",
        "copyright", "executable", "path", "prefix", "base_prefix", "exec_prefix", "base_exec_prefix",
        "platlibdir", "abiflags", "stdlib_module_names", "builtin_module_names", "dont_write_bytecode",
    }),
    "os": frozenset({
        "path", "name", "sep", "altsep", "extsep", "pathsep", "linesep", "defpath", "devnull", "curdir",
        "pardir", "getcwd", "getcwdb", "chdir", "listdir", "scandir", "walk", "makedirs", "mkdir", "remove",
        "unlink", "rmdir", "removedirs", "rename", "renames", "replace", "stat", "lstat", "access", "chmod",
        "utime", "truncate", "link", "symlink", "readlink", "statvfs", "F_OK", "R_OK", "W_OK", "X_OK",
        "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getlogin", "uname",
        "times", "getloadavg", "umask", "cpu_count", "process_cpu_count", "sched_getaffinity",
        "get_terminal_size", "get_exec_path", "getenv", "environ", "urandom", "getrandom", "fspath",
        "fsencode", "fsdecode", "strerror", "SEEK_SET", "SEEK_CUR", "SEEK_END", "PathLike", "DirEntry",
        "stat_result", "statvfs_result", "terminal_size", "times_result", "uname_result", "error",
    }),
    "os.path": frozenset({
        "join", "exists", "lexists", "isfile", "isdir", "islink", "ismount", "isabs", "basename",
        "dirname", "split", "splitext", "splitdrive", "abspath", "realpath", "normpath", "normcase",
        "relpath", "commonpath", "commonprefix", "getsize", "getmtime", "getatime", "getctime",
        "expanduser", "expandvars", "samefile", "sameopenfile", "samestat", "sep", "altsep", "curdir",
        "pardir", "extsep", "pathsep", "defpath", "devnull", "supports_unicode_filenames",
    }),
}  # fmt: skip

#: Why the rest of a facade's module is left out: the attributes a model reaches for most, then a
#: default per module. The refusal says the reason and what to use instead.
FACADE_REFUSALS: dict[str, dict[str, str]] = {
    "sys": {
        "modules": "it maps names to the real modules (os, builtins) around the guards; import what you need",
        "meta_path": "the import machinery loads code around the allow-list",
        "path_hooks": "the import machinery loads code around the allow-list",
        "path_importer_cache": "the import machinery loads code around the allow-list",
        "settrace": "trace functions receive frames",
        "setprofile": "profile functions receive frames",
        "monitoring": "monitoring callbacks receive code objects",
        "addaudithook": "audit hooks see the runtime's own events",
        "displayhook": "the kernel's output hook is its own; print() the value",
        "excepthook": "the kernel's error hook is its own; catch the exception",
        "breakpointhook": "there is no debugger in the sandbox",
        "__stdout__": "the kernel's original stream bypasses the captured output; use sys.stdout",
        "__stderr__": "the kernel's original stream bypasses the captured output; use sys.stderr",
        "__stdin__": "there is no one to type input",
    },
    "os": {
        "system": "it starts programs, which run without the guards; compute in Python here",
        "popen": "it starts programs, which run without the guards; compute in Python here",
        "fork": "it starts processes; use threading or concurrent.futures",
        "kill": "the only processes here are the kernel's own; raise an exception or call sys.exit()",
        "killpg": "the only processes here are the kernel's own; raise an exception or call sys.exit()",
        "abort": "it kills the kernel; raise an exception or call sys.exit()",
        "_exit": "it kills the kernel; call sys.exit()",
        "open": "it works on raw descriptors, the kernel's own channels among them; use open() with a path",
        "fdopen": "it works on raw descriptors, the kernel's own channels among them; use open() with a path",
        "read": "it works on raw descriptors, the kernel's own channels among them; use open() with a path",
        "write": "it works on raw descriptors, the kernel's own channels among them; use open() with a path",
        "close": "it works on raw descriptors, the kernel's own channels among them; use open() with a path",
        "dup": "it works on raw descriptors, the kernel's own channels among them; use open() with a path",
        "dup2": "it works on raw descriptors, the kernel's own channels among them; use open() with a path",
        "pipe": "it works on raw descriptors, the kernel's own channels among them; use open() with a path",
        "putenv": "the real environment decides which programs libraries start (PATH); set os.environ[...]",
        "unsetenv": "the real environment decides which programs libraries start (PATH); del os.environ[...]",
        "environb": "the real environment decides which programs libraries start (PATH); use os.environ",
        "supports_fd": "these sets hold the real os functions (os.execve, os.open); call the functions given",
        "supports_dir_fd": "these sets hold the real os functions (os.execve, os.open); call the functions given",
        "supports_follow_symlinks": "these sets hold the real os functions; call the functions given",
        "supports_effective_ids": "these sets hold the real os functions; call the functions given",
    },
}

#: The reason for a facade attribute FACADE_REFUSALS does not name.
FACADE_DEFAULT_REFUSAL: dict[str, str] = {
    "sys": "the rest of sys reaches the interpreter's internals (modules, frames, hooks)",
    "os": "the rest of os starts processes, works on raw descriptors or changes the process itself",
    "os.path": "it is not part of os.path",
}


def facade_refusal(module: str, name: str) -> str:
    """Why `module.name` is not in the facade (module is 'sys', 'os' or 'os.path')."""
    if name.startswith(("exec", "spawn", "posix_spawn", "fork", "wait")):
        return "it starts or waits for processes, which run without the guards; compute in Python here"
    return FACADE_REFUSALS.get(module, {}).get(name) or FACADE_DEFAULT_REFUSAL.get(module, "")


#: Submodules refused although their parent is allowed, with the reason and what to use instead.
DENIED_MODULES: dict[str, str] = {
    "numpy.ctypeslib": "it loads shared libraries and calls C functions; stay with numpy's own functions",
    "numpy.f2py": "it compiles and runs native code; write the computation with numpy",
    "numpy.distutils": "it runs compilers; write the computation with numpy",
    "numpy.testing": "it runs code strings (runstring, measure, rundocs) and builds C extensions (extbuild); "
    "compare arrays with numpy.allclose or numpy.array_equal",
    "numpy.lib.format": "its readers unpickle (allow_pickle), which runs arbitrary calls; use numpy.load",
    "pandas.io.pickle": "unpickling runs arbitrary calls; use read_csv or read_parquet",
    "pandas.compat.pickle_compat": "unpickling runs arbitrary calls; use read_csv or read_parquet",
    "matplotlib.testing": "it runs Python in subprocesses without the guards (subprocess_run_helper); "
    "draw and savefig instead",
    "matplotlib.animation": "its movie writers run programs (a writer's command line or the ffmpeg/convert "
    "path in rcParams), which run without the guards; save frames with savefig",
    "matplotlib.backends.backend_webagg": "it serves figures to a browser it starts (webbrowser runs the "
    "program BROWSER names); use savefig",
    "logging.config": "it imports and calls any named object (dictConfig's '()' and 'ext://', fileConfig's "
    "eval) and listens on a socket; configure with logging.basicConfig and handler objects",
}  # fmt: skip

#: Attributes refused on module objects of allowed modules, with the reason and what to use instead.
DENIED_MODULE_ATTRIBUTES: dict[str, dict[str, str]] = {
    "pandas": {
        "read_pickle": "unpickling runs arbitrary calls; use read_csv or read_parquet",
    },
    "typing": {
        "get_type_hints": "it evaluates annotation strings without the guards; read __annotations__",
        "ForwardRef": "it evaluates strings without the guards; write the type itself",
    },
    "typing_extensions": {
        "get_type_hints": "it evaluates annotation strings without the guards; read __annotations__",
        "get_annotations": "it can evaluate annotation strings without the guards; read __annotations__",
        "ForwardRef": "it evaluates strings without the guards; write the type itself",
        "evaluate_forward_ref": "it evaluates strings without the guards; write the type itself",
    },
    "types": {
        "CodeType": "it builds code objects from raw bytecode, which runs without the guards; write a function",
    },
}


def denied_module(name: str) -> str | None:
    """Why the (dotted) module `name` is refused although its parent may be allowed, or None."""
    for denied, reason in DENIED_MODULES.items():
        if name == denied or name.startswith(denied + "."):
            return reason
    return None


def facade_message(module: str, name: str) -> str:
    """The refusal of `module.name` where `module` is a facade that does not hold `name`."""
    reason = facade_refusal(module, name)
    return f"'{module}.{name}' is not available in the sandbox: {reason}; dir({module}) lists what is"


def is_internal(name: str) -> bool:
    """A module's private name (`_x`), which the module rules refuse; dunders are not private."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def internals_message(module: str, name: str) -> str:
    return f"'{module}.{name}' is a private internal of '{module}'; use its public API"
