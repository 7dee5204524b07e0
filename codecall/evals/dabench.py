"""DABench (InfiAgent-DABench, dev split): run a model on its closed-form data-analysis questions, score by level.

Each question names a table; the table goes into the sandbox as the DataFrame `df` and the model must answer
with `@name[value]` pairs. The scorer follows the data's README; its rules, and why:

- Pairs are read with the non-greedy pattern `@name[value]` (the value ends at the first `]`). The labels
  were made that way: question 273's label for an empty list written `@outlier_list[[]]` is `[`.
- A question is right when every labelled pair is matched. Where the response gives a name more than once,
  its last occurrences count (a model may restate the format before answering); a name labelled k times
  (question 734) is matched as a multiset against the response's last k values of that name.
- Numbers are compared as written: equal as numbers (`0.20` = `0.2`, `36` = `36.0`), within 1e-6 for the
  float noise of a printed value. The format states the rounding, so a value left unrounded is wrong
  (`34.6512` is not `34.65`): rounding the response to the label's written decimals would also accept
  `0.97` for a label `1.0` (which is `1.00` with the trailing zero dropped).
- Other values compare without case, surrounding quotes or outer spaces (`"Yes"` = `yes`); a value with
  commas compares item by item under the same rules (`0.00, 1.00` = `0.0,1.0`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codecall.agent import DEFAULT_MAX_STEPS, Agent
from codecall.errors import InputError
from codecall.models import Model, OpenAICompatible, Scripted, Serialized
from codecall.models.scripted import reply_by_task
from codecall.result import Result, RunRecord
from sandbox import Limits, WarmPool

DATA_ENV = "CODECALL_DABENCH"  #: the DABench data folder, when `--data-dir` does not name one
#: The dev/test halves of the questions (`make_split`), fixed before anything was tuned on them.
SPLIT_FILE = Path(__file__).resolve().parents[2] / "examples" / "dabench_split.json"
SPLITS = ("dev", "test")
LEVELS = ("easy", "medium", "hard")
PAIR = re.compile(r"@(\w+)\[(.*?)\]", re.DOTALL)
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
QUOTES = "\"'`"


# -- questions ------------------------------------------------------------------------------------
def data_folder(given: str | Path | None) -> Path:
    """The DABench data folder: `given`, else $CODECALL_DABENCH; it holds da-dev-questions.jsonl,
    da-dev-labels.jsonl and da-dev-tables/. The data set is not part of this repository (a small subset
    ships with the tests, in tests/data/dabench)."""
    folder = given or os.environ.get(DATA_ENV)
    if not folder:
        raise InputError(f"where is DABench? pass --data-dir DIR or set ${DATA_ENV} (the folder that holds "
                         "da-dev-questions.jsonl)")  # fmt: skip
    if not (Path(folder) / "da-dev-questions.jsonl").is_file():
        raise InputError(f"{folder}: no da-dev-questions.jsonl there; is it the DABench data folder?")
    return Path(folder)


@dataclass
class Question:
    """One DABench question with its labelled answers."""

    id: int
    question: str
    constraints: str
    format: str
    file_name: str
    level: str
    answers: list[tuple[str, str]]

    @property
    def task(self) -> str:
        """The task as the model sees it: the question, its constraints and the required answer format."""
        return (
            f"{self.question}\nConstraints: {self.constraints}\nAnswer format: {self.format}\n"
            f"The table {self.file_name} is loaded as the DataFrame `df`. Give the final answer with "
            f"final_answer(text), text holding every @name[value] the format asks for."
        )


def load_questions(data_dir: str | Path) -> list[Question]:
    """The questions with their labels, in the file's order."""
    data_dir = Path(data_dir)
    labels = {row["id"]: row["common_answers"] for row in _jsonl(data_dir / "da-dev-labels.jsonl")}
    fields = ("id", "question", "constraints", "format", "file_name", "level")
    return [Question(**{k: row[k] for k in fields}, answers=[tuple(pair) for pair in labels[row["id"]]])
            for row in _jsonl(data_dir / "da-dev-questions.jsonl")]  # fmt: skip


def load_table(data_dir: str | Path, file_name: str) -> Any:
    """A question's table as a DataFrame (a few tables are not UTF-8)."""
    import pandas as pd

    path = Path(data_dir) / "tables" / file_name
    try:
        return pd.read_csv(path)
    except UnicodeDecodeError:
        return pd.read_csv(path, encoding="latin-1")


def _jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as lines:
        yield from (json.loads(line) for line in lines if line.strip())


# -- scoring --------------------------------------------------------------------------------------
def parse_pairs(text: str) -> list[tuple[str, str]]:
    """Every `@name[value]` in `text`, in order."""
    return [(name, value) for name, value in PAIR.findall(text)]


def values_match(response: str, label: str) -> bool:
    """One response value against one label value, under the rules in the module's docstring."""
    response, label = _clean(response), _clean(label)
    if _scalar_match(response, label):
        return True
    items, wanted = response.split(","), label.split(",")
    return len(wanted) > 1 and len(items) == len(wanted) and all(map(_scalar_match, map(_clean, items), wanted))


def _clean(value: str) -> str:
    value = value.strip()
    while len(value) >= 2 and value[0] == value[-1] and value[0] in QUOTES:
        value = value[1:-1].strip()
    return value


def _scalar_match(response: str, label: str) -> bool:
    response, label = _clean(response), _clean(label)
    if NUMBER.fullmatch(response) and NUMBER.fullmatch(label):
        return math.isclose(float(response), float(label), rel_tol=1e-9, abs_tol=1e-6)
    return response.casefold() == label.casefold()


def score(text: str, answers: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """(labelled pairs the response matched, labelled pairs)."""
    given: dict[str, list[str]] = {}
    for name, value in parse_pairs(text):
        given.setdefault(name, []).append(value)
    wanted: dict[str, list[str]] = {}
    for name, value in answers:
        wanted.setdefault(name, []).append(value)
    right = 0
    for name, labels in wanted.items():
        candidates = given.get(name, [])[-len(labels) :]
        for label in labels:
            match = next((i for i, value in enumerate(candidates) if values_match(value, label)), None)
            if match is not None:
                right += 1
                candidates.pop(match)
    return right, sum(map(len, wanted.values()))


# -- running --------------------------------------------------------------------------------------
def response_text(result: Result, question: Question | None = None) -> str:
    """What the scorer reads: the answer (a string, or its str), or the model's text for a text answer. An
    answer without `@name[value]` pairs is put in the form `question`'s format asks for (formatting is the
    engine's job, not the model's): see `format_answer`."""
    if not result.succeeded:
        return ""
    text = result.answer if isinstance(result.answer, str) else str(result.answer)
    if question is None or parse_pairs(text):
        return text
    return format_answer(result.answer, question.format) or text


_DIGITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_DECIMALS = re.compile(r"(\d+|zero|one|two|three|four|five|six)\s+decimal", re.IGNORECASE)


def format_answer(answer: Any, format_text: str) -> str:
    """`answer` as the `@name[value]` pairs `format_text` names: one value for one name, a list or tuple item
    by item for as many names; a float rounded as the format says of its placeholder ("r" rounded to two
    decimal places, "p" to four), else as it first says of any. Empty when the answer does not fit the names."""
    fields = list(dict.fromkeys(re.findall(r"@(\w+)\[([^\]]*)\]", format_text)))
    names = list(dict.fromkeys(name for name, _ in fields))
    items = list(answer) if isinstance(answer, list | tuple) else [answer]
    if not names or len(items) != len(names):
        return ""
    placeholder = dict(reversed(fields))  # each name's first placeholder
    places = {name: _places(format_text, placeholder[name], set(placeholder.values())) for name in names}

    def shown(value: Any, places: int | None) -> str:
        if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
            value = value.item()  # a numpy scalar
        if isinstance(value, float) and places is not None and math.isfinite(value):
            return f"{round(value, places)}"
        return str(value)

    return " ".join(f"@{name}[{shown(value, places[name])}]" for name, value in zip(names, items, strict=True))


def _places(format_text: str, placeholder: str, placeholders: set[str]) -> int | None:
    """The decimal places the format gives `placeholder`: said between its first quoted mention and the next
    other placeholder's; else the first the format says at all."""
    quoted = [
        (m.start(), m.group(2)) for m in re.finditer(r"([\"'])([^\"']+)\1", format_text) if m.group(2) in placeholders
    ]
    starts = [start for start, name in quoted if name == placeholder]
    if starts:
        end = next((start for start, name in quoted if start > starts[0] and name != placeholder), len(format_text))
        if found := _DECIMALS.search(format_text[starts[0] : end]):
            return _number(found.group(1))
    found = _DECIMALS.search(format_text)
    return _number(found.group(1)) if found else None


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _DIGITS[word]


def run_question(agent: Agent, question: Question, data_dir: str | Path) -> RunRecord:
    """Ask `question` with its table as `df`, and score the answer; a failure is a record, not a raise. The
    record's extra keys: `level`, `correct`, `pairs_right`, `pairs` and `response` (the text scored)."""
    started = time.perf_counter()
    try:
        result = agent.run(question.task, df=load_table(data_dir, question.file_name))
    except Exception as failure:  # noqa: BLE001 - one question's failure must not end the evaluation
        text, record = "", RunRecord.failure(f"{type(failure).__name__}: {failure}", id=question.id,
                                             task=question.task, duration_s=time.perf_counter() - started)  # fmt: skip
    else:
        text, record = response_text(result, question), RunRecord.from_result(result, id=question.id)
    right, total = score(text, question.answers)
    record.extra.update(level=question.level, correct=right == total, pairs_right=right, pairs=total, response=text)
    return record


def evaluate(
    questions: list[Question],
    model: Model,
    *,
    data_dir: str | Path,
    jobs: int = 1,
    backend: str = "kernel",
    limits: Limits | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
    on_outcome: Callable[[RunRecord], None] | None = None,
) -> list[RunRecord]:
    """Run every question, `jobs` at a time over a warm pool of sandboxes; records in question order."""
    if jobs > 1 and not isinstance(model, (Scripted, OpenAICompatible)):
        model = Serialized(model)  # sandboxes still overlap with generation
    limits = limits or Limits()
    pool = WarmPool(backend, limits=limits, size=jobs) if jobs > 1 else None
    agent = Agent(model, sandbox=backend, limits=limits, max_steps=max_steps, pool=pool)

    def one(question: Question) -> RunRecord:
        outcome = run_question(agent, question, data_dir)
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
            return list(executor.map(one, questions))
    finally:
        if pool is not None:
            pool.close()


def summarize(outcomes: list[RunRecord]) -> dict[str, Any]:
    """Accuracy by level and overall (a question is right when all its pairs are), and by pair overall."""

    def accuracy(group: list[RunRecord]) -> dict[str, Any]:
        right = sum(o.correct for o in group)
        return {"questions": len(group), "correct": right, "accuracy": round(right / len(group), 4) if group else None}

    summary: dict[str, Any] = {level: accuracy([o for o in outcomes if o.level == level]) for level in LEVELS}
    summary["overall"] = accuracy(outcomes)
    pairs = sum(o.pairs for o in outcomes)
    summary["pair_accuracy"] = round(sum(o.pairs_right for o in outcomes) / pairs, 4) if pairs else None
    summary["statuses"] = dict(Counter(o.status for o in outcomes))
    summary["formatted"] = sum(bool(parse_pairs(o.response)) for o in outcomes)  #: answers with any @name[value]
    return summary


# -- the scripted reference model -----------------------------------------------------------------
def load_reference(path: str | Path) -> dict[int, str]:
    """Reference code by question id, from a JSON-lines file of {"id": ..., "code": ...}."""
    return {row["id"]: row["code"] for row in _jsonl(Path(path))}


def reference_model(code_by_id: dict[int, str], questions: list[Question]) -> Scripted:
    """A scripted model (not a language model) that answers each question with its reference code, so a run
    shows what the pipeline itself scores: prompt, sandbox, answer crossing, parsing, comparison."""
    by_task = {q.task: f"```python\n{code_by_id[q.id]}\n```" for q in questions if q.id in code_by_id}
    model = Scripted([reply_by_task(by_task)])
    model.name = "scripted reference code"
    return model


def select(
    questions: list[Question], *, ids: Iterable[int] = (), level: str | None = None, limit: int = 0, sample: int = 0
) -> list[Question]:
    """The questions to run: by id and level, then the first `limit`, or `sample` spread evenly over the file
    (so a small sample covers many tables and all levels)."""
    wanted = set(ids)
    chosen = [q for q in questions if (not wanted or q.id in wanted) and (level is None or q.level == level)]
    if sample and sample < len(chosen):
        chosen = [chosen[i * len(chosen) // sample] for i in range(sample)]
    return chosen[:limit] if limit else chosen


def make_split(questions: Iterable[tuple[int, str]]) -> dict[str, dict[str, list[int]]]:
    """Halve (id, level) pairs level by level: within a level, ids ordered by the SHA-256 of their decimal
    text, the first half is dev and the rest (the larger half of an odd count) is test. Deterministic, and
    blind to everything but the id."""
    by_level: dict[str, list[int]] = {level: [] for level in LEVELS}
    for id_, level in questions:
        by_level[level].append(id_)
    split: dict[str, dict[str, list[int]]] = {name: {} for name in SPLITS}
    for level, ids in by_level.items():
        ordered = sorted(ids, key=lambda i: hashlib.sha256(str(i).encode()).hexdigest())
        half = len(ordered) // 2
        split["dev"][level], split["test"][level] = sorted(ordered[:half]), sorted(ordered[half:])
    return split


def load_split(name: str, path: str | Path = SPLIT_FILE) -> set[int]:
    """The question ids of one half ("dev" or "test") of the committed split."""
    if name not in SPLITS:
        raise InputError(f"unknown split {name!r} (choose from: {', '.join(SPLITS)})")
    halves = json.loads(Path(path).read_text(encoding="utf-8"))
    return {id_ for ids in halves[name].values() for id_ in ids}
