"""Find the code in a model's reply, coping with what small models write.

They drop or mislabel fences, leave a fence open, wrap code in prose, write several blocks, and often
"helpfully" re-define a tool (`def add(a, b): return a + b`), which would shadow the real tool: such
definitions are removed.
"""

from __future__ import annotations

import ast
import re

#: An opening fence (``` or ```python / ```py / ```python3, any case) up to a closing fence or the end.
_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_CODE_LANGS = {"", "python", "py", "python3", "py3", "ipython", "pycon"}
#: Python-only line shapes: a statement that prose does not start with.
_CODE_LINE = re.compile(
    r"^\s*(?:[A-Za-z_][\w.]*\s*(?:\[[^\]]*\])?\s*[-+*/%]?=[^=]|[A-Za-z_][\w.]*\(.*\)\s*$|"
    r"(?:import|from|def|class|for|while|if|elif|else|try|except|with|return|print)\b.*[:(\w]|#)"
)


def extract_code(text: str, tool_names: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The Python code in `text`, or None when it is a plain-text answer.

    Fenced Python blocks are joined in order (a reply's blocks build on each other); without fences, the
    longest run of lines that parses as Python and looks like code is taken. Definitions of functions
    named in `tool_names` are removed.
    """
    fenced = [(lang.lower(), _strip_prompts(body).strip("\n")) for lang, body in _FENCE.findall(text)]
    fenced = [(lang, body) for lang, body in fenced if lang in _CODE_LANGS and body.strip()]
    # An unlabelled block that does not parse is usually sample output ("Output: 5"), not code.
    blocks = [body for lang, body in fenced if lang or _looks_like_code(body) or len(fenced) == 1]
    blocks = list(dict.fromkeys(blocks))  # a block repeated verbatim would call its tools twice
    code = "\n\n".join(blocks) if blocks else _unfenced_code(_strip_prompts(text))
    if code is None:
        return None
    code = _remove_tool_definitions(code, tool_names)
    return code if code.strip() else None


def _strip_prompts(code: str) -> str:
    """Turn a console transcript (`>>> ` / `... ` prompts, copied from docs) into code, outputs dropped."""
    lines = code.splitlines()
    if not any(ln.startswith(">>> ") for ln in lines):
        return code
    return "\n".join(ln[4:] for ln in lines if ln.startswith((">>> ", "... ")))


def _unfenced_code(text: str) -> str | None:
    """The longest run of lines that parses and holds at least one Python-shaped statement."""
    lines = text.strip().splitlines()
    best: str | None = None
    for start in range(len(lines)):
        if not _CODE_LINE.match(lines[start]) or lines[start].startswith((" ", "\t")):
            continue
        for end in range(len(lines), start, -1):
            chunk = "\n".join(lines[start:end]).rstrip()
            if best is not None and len(chunk) <= len(best):
                break
            if _looks_like_code(chunk):
                best = chunk
                break
    return best


def _looks_like_code(chunk: str) -> bool:
    """Parses as Python and is made of statements, not a sentence that happens to parse."""
    try:
        tree = ast.parse(chunk)
    except SyntaxError:
        return False
    if not tree.body:
        return False
    code_lines = [ln for ln in chunk.splitlines() if ln.strip()]
    if not all(_CODE_LINE.match(ln) or ln.startswith((" ", "\t", ")", "]", "}")) for ln in code_lines):
        return False
    # A lone bare name or constant ("Hello", "5") is an answer, not code.
    return not (
        len(tree.body) == 1
        and isinstance(tree.body[0], ast.Expr)
        and isinstance(tree.body[0].value, ast.Name | ast.Constant)
    )


def _remove_tool_definitions(code: str, tool_names: set[str] | frozenset[str]) -> str:
    """Remove top-level `def`/`class` statements that would shadow a tool, keeping everything else."""
    if not tool_names:
        return code
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return _remove_tool_definitions_by_indent(code, tool_names)
    lines = code.splitlines()
    drop: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name in tool_names:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            drop.update(range(first - 1, (node.end_lineno or node.lineno)))
    return "\n".join(ln for i, ln in enumerate(lines) if i not in drop).strip("\n")


def _remove_tool_definitions_by_indent(code: str, tool_names: set[str] | frozenset[str]) -> str:
    """The same for code that does not parse (the checker will report its error): drop the indented body."""
    names = "|".join(re.escape(n) for n in tool_names)
    head = re.compile(rf"^(?:async\s+)?(?:def|class)\s+(?:{names})\b")
    out, skipping = [], False
    for line in code.splitlines():
        if head.match(line):
            skipping = True
            continue
        if skipping and (not line.strip() or line.startswith((" ", "\t"))):
            continue
        skipping = False
        out.append(line)
    return "\n".join(out).strip("\n")


def assigned_names(code: str) -> list[str]:
    """The names `code`'s top-level assignments bind (`total = add(2, 3)` -> ["total"]); [] if it does not parse."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]
