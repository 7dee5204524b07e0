"""Reading the call and list literal a line is writing: which argument comes next, and the items a list
has, so the guide can keep them distinct.

A small model that has begun a list argument repeats its last item until the token limit
(`AddMeeting(..., ["JohnDoe", "JohnDoe", "JohnDoe", ...])`), or writes the same item again cut shorter
(`"2022-12-15 at 2", "2022-12-15 at"`). A list a task writes names different things: an item equal to
an earlier one, or a string that overlaps an earlier one (in itself or where the task writes it), is
never one of them.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from typing import Any

_OPENERS, _CLOSERS = "[{(", "]})"


def _code_chars(text: str) -> Iterator[tuple[int, str]]:
    """The characters of `text` outside string literals (quotes included), with their index."""
    quote, escaped = "", False
    for i, char in enumerate(text):
        if quote:
            if char == quote and not escaped:
                quote = ""
            escaped = char == "\\" and not escaped
        elif char in "\"'":
            quote = char
        else:
            yield i, char


def open_list(line: str) -> tuple[list[str], str] | None:
    """The innermost list `line` has opened and not closed, as (the source of its finished items, the
    text of the item being written, which may be a dict begun), or None when no list is open."""
    return _open(line, "[", innermost=False)


def open_call(line: str) -> tuple[list[str], str] | None:
    """The call `line` is writing the arguments of, as (the source of its finished arguments, the text of
    the one being written), or None when it is inside another bracket (a list, a dict) or no call."""
    return _open(line, "(", innermost=True)


def _open(line: str, bracket: str, *, innermost: bool) -> tuple[list[str], str] | None:
    """The items of the last `bracket` open in `line` (the innermost bracket only, if `innermost`)."""
    stack: list[tuple[str, int]] = []  # each open bracket and where its contents start
    for i, char in _code_chars(line):
        if char in _OPENERS:
            stack.append((char, i + 1))
        elif char in _CLOSERS and stack:
            stack.pop()
    opened = [start for kind, start in (stack[-1:] if innermost else stack) if kind == bracket]
    if not opened:
        return None
    body, items = line[opened[-1] :], []
    while True:
        source, ended, rest = _item_at(body)
        if not ended:
            return items, body.lstrip()
        items.append(source)
        body = rest


def _item_at(text: str) -> tuple[str, bool, str]:
    """The item `text` begins with: its source, whether a top-level `,` or the list's closing bracket
    follows it, and the text after that comma."""
    depth = 0
    for i, char in _code_chars(text):
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS and depth:
            depth -= 1
        elif char in _CLOSERS or char == "," and depth == 0:
            return text[:i].strip(), True, text[i + 1 :]
    return text.strip(), False, ""


def item_value(text: str) -> tuple[bool, Any]:
    """Whether the item `text` begins with is a whole literal, and its value. A number is whole only
    once a `,` or `]` follows it: `1` may still become `10`."""
    source, ended, _ = _item_at(text)
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False, None
    return ended or source.endswith(("'", '"', "}", "]", ")")), value


def item_values(earlier: list[str]) -> list[Any]:
    """The values of a list's finished items, from their source (each ends at its comma)."""
    return [value for whole, value in (item_value(source + ",") for source in earlier) if whole]


def repeats(value: Any, seen: list[Any], task: str = "") -> bool:
    """Whether an item of `value` says again what one of the items `seen` (`item_values`) says: equal to
    one, a string inside an earlier string or holding one, or a string whose every place in the `task`
    overlaps an earlier string's ("Berg and" after "Tomas Berg", of "Tomas Berg and Ines Lund")."""
    if value in seen:
        return True
    if not isinstance(value, str):
        return False
    texts = [s for s in seen if isinstance(s, str)]
    if any(value in s or s in value for s in texts):
        return True
    taken = [range(m.start(), m.end()) for s in texts for m in re.finditer(re.escape(s), task)]
    places = [range(m.start(), m.end()) for m in re.finditer(re.escape(value), task)] if value else []
    return bool(places) and all(any(p.start < t.stop and t.start < p.stop for t in taken) for p in places)


def only_repeats(item: str, seen: list[Any], strings: list[str], task: str = "") -> bool:
    """Whether the item begun as `item` can only become one that `repeats` an item `seen`. A string not
    closed yet can become each of `strings` (the grammar's) that its text begins; another item is judged
    once whole (`item` then holds what the grammar forces after the token too)."""
    source, ended, _ = _item_at(item)
    if source[:1] == '"' and not (len(source) > 1 and source.endswith('"')):
        could = [s for s in strings if json.dumps(s, ensure_ascii=False).startswith(source)]
        return bool(could) and all(repeats(s, seen, task) for s in could)
    whole, value = item_value(item)
    return whole and repeats(value, seen, task)


def may_repeat(item: str, earlier: list[str]) -> bool:
    """Whether the item begun as `item` could become one that `repeats` an earlier one: its text so far
    begins an earlier item's, or it is a string (which may end inside or around an earlier one)."""
    return item[:1] == '"' or any(source.startswith(item) or item.startswith(source) for source in earlier)
