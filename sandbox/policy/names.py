"""What code may name: the attribute, builtin, syntax and reserved-name tables of the policy.

Each entry carries its reason, so a refusal can say why. Loaded inside the box too: the standard
library only.
"""

from __future__ import annotations

#: Attribute names refused everywhere: each leads from an ordinary object to what the guards keep
#: away: a function's globals and code, closure cells, frames, the unguarded builtins, the class
#: graph downward (`__subclasses__`), raw attribute lookup. Reading *up* the class graph (`__mro__`,
#: `__bases__`), a bound method's `__self__`/`__func__`, `__wrapped__` and `__objclass__` is allowed:
#: they lead only to classes, functions and objects code can already reach, whose own dangerous
#: attributes stay refused, and a module reached through them still meets the module rules.
DANGEROUS_ATTRIBUTES: dict[str, str] = {
    "__subclasses__": "it walks the class graph down to every class loaded (subprocess.Popen among them); "
    "name the classes you need",
    "__globals__": "a function's module globals hold the unguarded builtins and modules; import what you need",
    "__code__": "a code object lets code be rebuilt from raw bytecode, which runs without the guards; "
    "call the function",
    "__closure__": "closure cells hold the guards' own unguarded helpers; call the function",
    "__builtins__": "it is the unguarded builtins; the builtins are already in scope",
    "__import__": "it imports modules around the allow-list; use an import statement",
    "__loader__": "a module loader loads and runs code from files around the allow-list; use an import statement",
    "__spec__": "a module spec holds its loader, which runs code from files; use an import statement",
    "__getattribute__": "called directly it reads any attribute without the guard; use getattr()",
    "__reduce__": "the pickle protocol hands out callables such as the unguarded getattr; use copy.copy",
    "__reduce_ex__": "the pickle protocol hands out callables such as the unguarded getattr; use copy.copy",
    "__traceback__": "a traceback leads to frames and their globals; print the exception itself (repr(err))",
    "func_globals": "a function's module globals hold the unguarded builtins and modules; import what you need",
    **dict.fromkeys(
        ("f_globals", "f_locals", "f_builtins", "f_back", "f_code", "f_trace", "f_generator", "tb_frame", "tb_next",
         "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "cr_origin", "ag_frame",
         "ag_code", "ag_await", "_getframe", "_current_frames"),
        "frames and code objects hold globals and the unguarded builtins; print the exception or the values",
    ),
    "co_code": "raw bytecode; write a function",
    "co_consts": "a code object's constants hold nested code objects; write a function",
    "_evaluate": "it evaluates a forward reference's string without the guards; write the type itself",
    "__forward_code__": "a forward reference's compiled code; write the type itself",
    "enable_load_extension": "sqlite3 extensions are native code; use SQL and Python functions",
    "load_extension": "sqlite3 extensions are native code; use SQL and Python functions",
}  # fmt: skip

#: Builtins whose call is refused, with why and what to use instead. (`vars(obj)` is allowed: it is
#: obj.__dict__; `vars()` with no argument is locals() and refused, see NO_ARGUMENT_CALLS.)
FORBIDDEN_CALLS: dict[str, str] = {
    "eval": "it runs a string as code without the checks; compute the value directly",
    "exec": "it runs a string as code without the checks; write the code directly",
    "compile": "it builds code objects around the checks; write the code directly",
    "__import__": "it skips the import statement's checks; use an import statement with an allowed module",
    "globals": "it exposes the runtime's guard functions, which code could rebind; use the variables directly",
    "locals": "at the top level it is globals(), the runtime's guard functions; use the variables directly",
    "input": "there is no one to type input (the step would wait until its time ran out); use the given variables",
    "breakpoint": "the debugger runs whatever is typed without the checks, and there is no one to type; "
    "print the values you want to see",
    "help": "help() waits for typed input, and help('name') imports modules around the allow-list (their "
    "import can start programs); print(obj.__doc__) or dir(obj)",
}

#: Builtins refused only when called with no argument, with why and what to use instead.
NO_ARGUMENT_CALLS: dict[str, str] = {
    "vars": "vars() with no argument is locals(): at the top level the runtime's guard functions; "
    "pass an object, vars(obj)",
}

#: Syntax the policy layers refuse, by AST node type: (what, a hint). RestrictedPython's transformer
#: has no guarded form of these, and async code would need asyncio, which is not importable (it opens
#: sockets and starts processes); `except*` is refused only for want of a guarded form.
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

#: The prefix of names the restricted compiler generates; user code may not use it.
GENERATED_PREFIX = "_cc_"
#: The runtime name that builds the namespace of a `match` statement's guarded value patterns.
MATCH_VALUES = "_cc_values_"
