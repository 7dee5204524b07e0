"""The messages a run starts from, and the observations that go back to the model after each step.

Written for the smallest model first: small models copy shapes more than they follow instructions, so
the tools appear as the Python they will call, the rules are few and numbered, and a worked example
is given as a real earlier exchange (a user turn and the assistant's reply), which a small model copies
far more readily than an example described inside the system message. Where the model can continue a
started reply (`Model.continues_reply`), the agent appends `CODE_PREFILL` as the assistant's turn so
the reply is code from its first token, and stops at `CODE_STOP`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from codecall.tools import Tool

FINAL_ANSWER_STUB = '''def final_answer(value) -> None:
    """Give the final answer to the task. Call it once you know the answer; it ends the run."""
    ...'''

RULES = """\
1. Reply with exactly one ```python code block, and nothing after it.
2. The functions above are already defined: call them as plain Python functions. Never redefine them.
3. Use print() for anything you need to see: its output comes back to you in the next message.
4. When you know the answer, call final_answer(value) with it."""

#: The worked example, given as an earlier exchange. Its tools are not the user's; the task message says so.
#: One call, on purpose: a small model copies an example's shape, and with examples of two calls it made
#: a second call on every task (measured: most single-call tasks then failed).
EXAMPLES = [("What is 7 times 6?", "result = multiply(7, 6)\nfinal_answer(result)")]
EXAMPLE_TOOLS = ("multiply",)
EXAMPLE_TOOLS_NOTE = "The example used a tool named multiply; use the tools you have."

TASK_PREFIX = "Task: "  #: opens the user message that states a task (the example's and the real one)
CODE_PREFILL = "```python\n"  #: the start of every good reply, for models that continue a started reply
CODE_STOP = ["```"]  #: after CODE_PREFILL, the closing fence ends the code


def system_prompt(tools: Iterable[Tool], variables: Mapping[str, Any] | None = None) -> str:
    """The system message: tools as stubs, the sandbox's variables and the rules."""
    tools = list(tools)
    stubs = "\n\n".join([*(t.stub() for t in tools), FINAL_ANSWER_STUB])
    parts = [
        "You are an assistant that solves tasks by writing Python code. "
        "The code runs in a Python session that keeps its variables between steps.",
        f"You can call these Python functions:\n```python\n{stubs}\n```",
    ]
    if variables:
        described = "\n".join(describe_variable(name, value) for name, value in variables.items())
        parts.append(f"These variables are already defined:\n{described}")
    parts.append(f"Rules:\n{RULES}")
    return "\n\n".join(parts)


def build_messages(
    task: str, tools: Iterable[Tool], variables: Mapping[str, Any] | None = None
) -> list[dict[str, str]]:
    """The opening conversation of a run: the system prompt, the worked examples as exchanges, then the task."""
    tools = list(tools)
    note = "" if set(EXAMPLE_TOOLS) <= {t.name for t in tools} else f"\n({EXAMPLE_TOOLS_NOTE})"
    examples = [
        message
        for task, code in EXAMPLES
        for message in ({"role": "user", "content": f"{TASK_PREFIX}{task}"},
                        {"role": "assistant", "content": f"{CODE_PREFILL}{code}\n{CODE_STOP[0]}"})
    ]  # fmt: skip
    return [
        {"role": "system", "content": system_prompt(tools, variables)},
        *examples,
        {"role": "user", "content": f"{TASK_PREFIX}{task}{note}"},
    ]


def _task_index(messages: list[dict[str, str]]) -> int | None:
    """Where a conversation's task is: its last user message that states one."""
    found = [i for i, m in enumerate(messages) if m["role"] == "user" and m["content"].startswith(TASK_PREFIX)]
    return found[-1] if found else None


def task_of(messages: list[dict[str, str]]) -> str:
    """The task a conversation is about: its last task message, without the prefix and the examples' note."""
    at = _task_index(messages)
    text = "" if at is None else messages[at]["content"]
    return text.removeprefix(TASK_PREFIX).removesuffix(f"\n({EXAMPLE_TOOLS_NOTE})")


def task_free(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The conversation up to its task, with a task that says nothing ("N/A"), and a started reply kept: what
    a model writes after it is its bias rather than an answer."""
    at = _task_index(messages)
    free = [*messages[: len(messages) if at is None else at], {"role": "user", "content": f"{TASK_PREFIX}N/A"}]
    return free + messages[-1:] if messages and messages[-1]["role"] == "assistant" else free


def describe_variable(name: str, value: Any, *, head_rows: int = 3) -> str:
    """One bullet for the prompt: the name, its type, and for a DataFrame its shape, columns and head."""
    kind = type(value).__name__
    if _is_dataframe(value):
        rows, cols = value.shape
        columns = ", ".join(f"{c} ({t})" for c, t in value.dtypes.astype(str).items())
        head = value.head(head_rows).to_string(max_colwidth=30)
        head = "\n".join(f"    {line}" for line in head.splitlines())
        return f"- {name}: DataFrame with {rows} rows and {cols} columns: {columns}\n  first rows:\n{head}"
    if isinstance(value, str | bytes | list | tuple | dict | set):
        return f"- {name}: {kind} of length {len(value)}, {_short_repr(value)}"
    return f"- {name}: {kind}, {_short_repr(value)}"


def observation(execution_summary: str, limit: int = 2000) -> str:
    """The message after a step: its output, cut in the middle past `limit` characters, with a visible
    note of how much was cut, so the model sees both how it began and how it ended."""
    text = execution_summary.strip() or "(the code printed nothing)"
    if len(text) > limit:
        head = limit * 2 // 3
        tail = limit - head
        cut = len(text) - head - tail
        text = f"{text[:head]}\n[... {cut} characters cut ...]\n{text[len(text) - tail :]}"
    return (
        f"Output:\n{text}\n\n"
        "Continue: reply with one ```python block, or call final_answer(value) if you know the answer."
    )


def _is_dataframe(value: Any) -> bool:
    """A pandas DataFrame, recognised without importing pandas."""
    return all(hasattr(value, a) for a in ("dtypes", "shape", "head", "columns"))


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
