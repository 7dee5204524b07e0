"""The messages a run starts from, and the observations that go back to the model after each step.

Written for the smallest model first: small models copy shapes more than they follow instructions, so
the tools appear as the Python they will call, the rules are few and numbered, and a worked example
is given as a real earlier exchange (a user turn and the assistant's reply), which a small model copies
far more readily than an example described inside the system message. Where the model can continue a
started reply (`Model.continues_reply`), the request starts the reply with `CODE_PREFILL` so it is code
from its first token, and stops at `CODE_STOP`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from codecall.models.base import GenerationRequest
from codecall.retrieve import relevance
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
#: The worked example of a turn with data and no tools: a question over a small table of its own answered
#: with pandas, so the reply's shape is code over the data (a tool call there named a function the session
#: lacks: the bundled model wrote `multiply(7, 6)` five times over a sales table). Its table is described
#: in its own task, since the system message shows the user's variables, not the example's.
DATA_EXAMPLES = [(
    "The DataFrame `shop` has columns item (str), price (float64). What is the mean price?",
    "result = shop['price'].mean()\nfinal_answer(result)",
)]  # fmt: skip
DATA_EXAMPLE_NOTE = "The example used its own table named shop; use the variables you have."
MAX_VALUES = 12  #: distinct values of a text column a guided filter may compare with (`data_schema`)

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
    shown = EXAMPLES
    if not tools and any(_is_dataframe(v) for v in (variables or {}).values()):  # data, no tools: its example
        shown, note = DATA_EXAMPLES, f"\n({DATA_EXAMPLE_NOTE})"
    examples = [
        message
        for task, code in shown
        for message in ({"role": "user", "content": f"{TASK_PREFIX}{task}"},
                        {"role": "assistant", "content": f"{CODE_PREFILL}{code}\n{CODE_STOP[0]}"})
    ]  # fmt: skip
    return [
        {"role": "system", "content": system_prompt(tools, variables)},
        *examples,
        {"role": "user", "content": f"{TASK_PREFIX}{task}{note}"},
    ]


def opening_request(
    task: str, tools: Sequence[Tool], variables: Mapping[str, Any] | None = None, *, prefill: bool = True,
    max_new_tokens: int = 512,
) -> GenerationRequest:
    """A run's first code-action request: the opening conversation, the task as written, the tools and their
    relevance to it, and the same conversation with a task that says nothing ("N/A": what a model writes
    after it is its bias rather than an answer, which the guide takes away from a choice's score). With
    `prefill` (a model that continues a started reply) the reply starts at CODE_PREFILL and ends at CODE_STOP."""
    tools = list(tools)
    task_free = [*build_messages("", tools, variables)[:-1], {"role": "user", "content": f"{TASK_PREFIX}N/A"}]
    return GenerationRequest(
        build_messages(task, tools, variables), stop=CODE_STOP if prefill else None, max_new_tokens=max_new_tokens,
        prefill=CODE_PREFILL if prefill else "", tools=tools, task=task, variables=list(variables or ()),
        relevance=dict(zip((t.name for t in tools), relevance(task, tools), strict=True)), task_free=task_free,
        **data_schema(variables or {}),
    )  # fmt: skip


def data_schema(variables: Mapping[str, Any], *, max_values: int = MAX_VALUES) -> dict[str, dict]:
    """What a guided reply over the data needs, as `GenerationRequest` fields: each DataFrame's `columns`
    with their dtypes (as the prompt shows them), and `values`, up to `max_values` distinct values of each
    text column (those of the rows the prompt shows first, then the most frequent) for a filter to compare
    with."""
    columns: dict[str, dict[str, str]] = {}
    values: dict[str, dict[str, list[str]]] = {}
    for name, frame in variables.items():
        if not _is_dataframe(frame):
            continue
        columns[name] = {str(c): str(t) for c, t in frame.dtypes.items()}
        texts = {}
        for column in frame.columns:
            series = frame[column]
            if str(series.dtype) not in ("object", "str", "string", "category"):
                continue
            seen = [*series.head(3).tolist(), *series.value_counts().index[:max_values].tolist()]
            kept = [v for v in dict.fromkeys(seen) if isinstance(v, str) and 0 < len(v) <= 40]
            texts[str(column)] = kept[:max_values]
        values[name] = texts
    return {"columns": columns, "values": values}


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
