"""What code may do: the rule tables shared by the static checker and the in-sandbox guards.

Every table entry carries its reason, so a refusal can say why. This module is loaded inside the
sandbox too, so it imports nothing beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Modules a data-analysis program may import (top-level names). Submodules follow their parent,
#: except those in DENIED_MODULES.
DEFAULT_IMPORTS: frozenset[str] = frozenset(
    {
        # the list
        "math", "statistics", "random", "datetime", "json", "re", "collections", "itertools",
        "functools", "decimal", "fractions", "string", "numpy", "pandas", "matplotlib", "scipy",
        # ordinary, side-effect-free helpers that everyday programs use
        "dataclasses", "typing", "enum", "operator", "heapq", "bisect", "copy", "textwrap", "pprint",
        "time", "calendar", "unicodedata", "abc", "numbers", "cmath", "array", "contextlib",
        "hashlib", "base64", "binascii", "csv", "io", "uuid", "zoneinfo", "difflib", "html",
        "struct", "warnings", "typing_extensions", "graphlib", "secrets", "locale",
        # files in the box's own folders, threads, logging: the box bounds them all
        "pathlib", "glob", "fnmatch", "shlex", "weakref", "threading", "queue", "concurrent", "logging",
    }
)  # fmt: skip

#: Modules user code gets as facades: a stand-in that holds only these attributes of the real module.
#: The real `sys` and `os` reach the whole interpreter (sys.modules, frames) and the operating system
#: (processes, exec, raw descriptors); ordinary programs only need the harmless parts.
FACADES: dict[str, frozenset[str]] = {
    "sys": frozenset({
        "argv", "version", "version_info", "hexversion", "api_version", "implementation", "platform",
        "byteorder", "maxsize", "maxunicode", "float_info", "int_info", "hash_info", "float_repr_style",
        "flags", "getsizeof", "getrecursionlimit", "setrecursionlimit", "getdefaultencoding",
        "getfilesystemencoding", "intern", "stdout", "stderr", "stdin", "exit", "exc_info", "copyright",
        "executable",
    }),
    "os": frozenset({
        "path", "name", "sep", "altsep", "extsep", "pathsep", "linesep", "defpath", "devnull", "curdir",
        "pardir", "getcwd", "listdir", "scandir", "walk", "makedirs", "mkdir", "remove", "unlink", "rmdir",
        "removedirs", "rename", "replace", "stat", "getpid", "getenv", "environ", "cpu_count", "urandom",
        "fspath", "fsencode", "fsdecode", "strerror", "SEEK_SET", "SEEK_CUR", "SEEK_END",
    }),
    "os.path": frozenset({
        "join", "exists", "isfile", "isdir", "islink", "isabs", "basename", "dirname", "split", "splitext",
        "splitdrive", "abspath", "realpath", "normpath", "normcase", "relpath", "commonpath", "commonprefix",
        "getsize", "getmtime", "getatime", "getctime", "expanduser", "expandvars", "samefile", "sep",
        "curdir", "pardir", "extsep", "pathsep",
    }),
}  # fmt: skip

#: Folders `open()` may reach (besides the current folder): the work folder and the private /tmp.
FILE_ROOTS: tuple[str, ...] = ("/workspace", "/tmp")

#: Submodules refused although their parent is allowed, with the reason.
DENIED_MODULES: dict[str, str] = {
    "numpy.ctypeslib": "it loads shared libraries and calls C functions",
    "numpy.f2py": "it compiles and runs native code",
    "numpy.distutils": "it runs compilers",
    "numpy.testing": "it spawns subprocesses",
    "pandas.io.clipboard": "it runs host programs",
    "matplotlib.backends.backend_webagg": "it opens network servers",
    "scipy.weave": "it compiles native code",
    "matplotlib.testing": "it runs host programs",
    "pandas.io.pickle": "unpickling runs arbitrary calls",
    "pandas.compat.pickle_compat": "unpickling runs arbitrary calls",
    "numpy.lib.format": "its readers unpickle (allow_pickle) and run arbitrary calls",
}

#: Attributes refused on module objects of allowed modules, with the reason.
DENIED_MODULE_ATTRIBUTES: dict[str, dict[str, str]] = {
    "io": {
        "open": "it opens files; read data with pandas or from the work folder's inputs",
        "open_code": "it opens files",
        "FileIO": "it opens files",
    },
    "pandas": {
        "read_pickle": "unpickling runs arbitrary calls; use read_csv or read_parquet",
        "read_clipboard": "it runs host programs",
    },
    "typing": {
        "get_type_hints": "it evaluates annotation strings as unchecked code; read __annotations__",
        "ForwardRef": "it evaluates strings as unchecked code",
    },
    "typing_extensions": {
        "get_type_hints": "it evaluates annotation strings as unchecked code; read __annotations__",
        "get_annotations": "it can evaluate annotation strings as unchecked code",
        "ForwardRef": "it evaluates strings as unchecked code",
        "evaluate_forward_ref": "it evaluates strings as unchecked code",
    },
}

#: Attribute names refused everywhere: each leads from an ordinary object to the interpreter's
#: internals (code, frames, globals, the class graph), the classic sandbox-escape paths.
DANGEROUS_ATTRIBUTES: dict[str, str] = {
    "__subclasses__": "walks the class graph to reach arbitrary classes",
    "__globals__": "exposes a function's module globals",
    "__code__": "exposes and lets code replace bytecode",
    "__closure__": "exposes closure cells",
    "__builtins__": "exposes the unrestricted builtins",
    "__import__": "imports modules around the allow-list",
    "__loader__": "exposes the module loader",
    "__spec__": "exposes the module spec and loader",
    "__getattribute__": "bypasses the attribute guard",
    "__reduce__": "pickle protocol: builds arbitrary calls",
    "__reduce_ex__": "pickle protocol: builds arbitrary calls",
    "__traceback__": "leads to frames",
    "__self__": "leads from a builtin method to its module",
    "__func__": "leads to a function's code and globals",
    "__wrapped__": "leads to an undecorated function's globals",
    "__mro__": "walks the class graph",
    "mro": "walks the class graph",
    "__base__": "walks the class graph",
    "__bases__": "walks the class graph",
    "__objclass__": "leads from a descriptor to its class",
    "func_globals": "exposes a function's globals",
    "f_globals": "frame internals", "f_locals": "frame internals", "f_builtins": "frame internals",
    "f_back": "frame internals", "f_code": "frame internals", "f_trace": "frame internals",
    "tb_frame": "traceback internals", "tb_next": "traceback internals",
    "gi_frame": "generator internals", "gi_code": "generator internals",
    "cr_frame": "coroutine internals", "cr_code": "coroutine internals",
    "ag_frame": "async generator internals", "ag_code": "async generator internals",
    "co_code": "bytecode", "co_consts": "code constants",
    "_getframe": "frame access", "_current_frames": "frame access",
    "f_generator": "frame internals", "gi_yieldfrom": "generator internals",
    "cr_await": "coroutine internals", "cr_origin": "coroutine internals",
    "ag_await": "async generator internals",
    "_evaluate": "evaluates a forward reference's string as unchecked code",
    "__forward_code__": "a forward reference's compiled code",
}  # fmt: skip

#: Builtins whose call is refused, with a hint a model can act on.
FORBIDDEN_CALLS: dict[str, str] = {
    "eval": "it runs code around the checks; compute the value directly",
    "exec": "it runs code around the checks; write the code directly",
    "compile": "it builds code objects around the checks",
    "__import__": "use an import statement with an allowed module",
    "globals": "it exposes the runtime's namespace; use the variables directly",
    "locals": "it exposes the frame's namespace; use the variables directly",
    "vars": "it exposes namespaces; use the attributes directly",
    "input": "there is no one to type input; use the given variables",
    "breakpoint": "there is no debugger in the sandbox",
    "memoryview": "it exposes raw memory",
    "help": "there is no interactive help in the sandbox",
    "exit": "ending the interpreter ends the session; call final_answer or just stop",
    "quit": "ending the interpreter ends the session; call final_answer or just stop",
}

#: Syntax the policy layers refuse (the guards cannot cover it), by AST node type: (what, a hint).
UNSUPPORTED_SYNTAX: dict[str, tuple[str, str]] = {
    "AsyncFunctionDef": ("'async def'", "write an ordinary function"),
    "Await": ("'await'", "call the function directly"),
    "AsyncFor": ("'async for'", "use an ordinary for loop"),
    "AsyncWith": ("'async with'", "use an ordinary with statement"),
    "TryStar": ("'except*'", "catch the ExceptionGroup with 'except ExceptionGroup as eg' and read eg.exceptions"),
}


def unsupported_syntax(node: object) -> str | None:
    """The refusal message for a node of unsupported syntax, or None."""
    entry = UNSUPPORTED_SYNTAX.get(type(node).__name__)
    return f"{entry[0]} is not supported in the sandbox; {entry[1]}" if entry else None


#: Names the runtime uses for its guards: user code may neither read nor rebind them.
RUNTIME_NAMES: frozenset[str] = frozenset(
    {
        "_getattr_", "_getitem_", "_getiter_", "_write_", "_print_", "_print", "_apply_",
        "_inplacevar_", "_unpack_sequence_", "_iter_unpack_sequence_", "_import_", "_hook_writable_",
        "__builtins__", "__metaclass__", "_codecall_", "__cc_last__",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Policy:
    """What a session's code may do. The box (the OS sandbox) holds whatever this says; these layers
    reject early, with messages a model can act on.

    `check` runs the static checker on the host; `restrict` compiles with RestrictedPython and the
    guards inside the sandbox. `Policy.off()` turns both off, to show the box alone holds.
    """

    allowed_imports: frozenset[str] = DEFAULT_IMPORTS
    check: bool = True
    restrict: bool = True
    extra_denied_attributes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def off(cls) -> Policy:
        """No policy layers at all: plain CPython inside the box."""
        return cls(check=False, restrict=False)

    def module_allowed(self, name: str) -> bool:
        """True when `name` (dotted) may be imported or handed out as an attribute."""
        if any(name == denied or name.startswith(denied + ".") for denied in DENIED_MODULES):
            return False
        return name.split(".", 1)[0] in self.allowed_imports

    def allowed_list(self) -> str:
        """The importable modules, for messages."""
        return ", ".join(sorted(self.allowed_imports | FACADES.keys()))

    def importable(self, name: str) -> bool:
        """True when an import statement may name `name`: an allowed module or a facade."""
        return name in FACADES or self.module_allowed(name)

    def denied_attribute(self, name: str) -> str | None:
        """The reason attribute `name` is refused, or None when it is allowed."""
        if name in self.extra_denied_attributes:
            return "refused by this session's policy"
        return DANGEROUS_ATTRIBUTES.get(name)

    def to_json(self) -> dict:
        return {
            "allowed_imports": sorted(self.allowed_imports),
            "check": self.check,
            "restrict": self.restrict,
            "extra_denied_attributes": sorted(self.extra_denied_attributes),
        }

    @classmethod
    def from_json(cls, data: dict) -> Policy:
        return cls(
            allowed_imports=frozenset(data["allowed_imports"]),
            check=data["check"],
            restrict=data["restrict"],
            extra_denied_attributes=frozenset(data.get("extra_denied_attributes", ())),
        )


DEFAULT_POLICY = Policy()
