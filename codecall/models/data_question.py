"""Reading a data question (`codecall.models.data_guide`): what it asks for (its answer format's fields,
the words a verdict takes, its significance levels), what its sentence filters the rows by, and how well
each column and operation matches its words.
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import re
from collections.abc import Mapping, Sequence

from codecall.models.data_grammar import TEST_READS, is_numeric
from codecall.models.guide import result_name
from codecall.models.literals import task_numbers
from codecall.retrieve import terms, text_relevance

MAX_ANSWERS = 6  #: value lines one reply may write, whatever the question's format lists
#: Words of a question that asks for a chart: only then may a line call `.plot(...)`.
_CHART = re.compile(r"\b(plot|chart|graph|histogram|visuali[sz]e|draw)", re.IGNORECASE)
_FIELD = re.compile(r"@(\w+)\[")  #: a field of an answer format (DABench's `@mean_fare[value]`)
_ENUMERATED = re.compile(r"^\s*\d+[.)]\s+")  #: "1. What is ...": the question's place in a list
_QUOTED = re.compile(r"\"([^\"\n]{1,30})\"|'([^'\n]{1,30})'")  #: a quoted text of the format ("yes")
_PLACEHOLDER = re.compile(r"@\w+\[([^\]]*)\]")  #: `@mean_fare[mean_value]`: mean_value
#: the significance level where the task gives none below 1: the conventional one
CONVENTIONAL_ALPHA = "0.05"
CONVENTIONAL_CUTOFF = "3"  #: the z-score beyond which a value is an outlier, where the task writes no number
#: Each operation's summary line in its own documentation (pandas 2, scipy 1.17), verbatim: an operation
#: is matched with the question as a tool is, by BM25 over its name (twice) and this text
#: (`codecall.retrieve`), so "missing values" finds `isnull` and "standard deviation" `std`.
DOCUMENTED = {
    "mean": "Return the mean of the values over the requested axis.",
    "sum": "Return the sum of the values over the requested axis.",
    "min": "Return the minimum of the values over the requested axis.",
    "max": "Return the maximum of the values over the requested axis.",
    "count": "Return number of non-NA/null observations in the Series.",
    "median": "Return the median of the values over the requested axis.",
    "std": "Return sample standard deviation over requested axis.",
    "var": "Return unbiased variance over requested axis.",
    "nunique": "Return number of unique elements in the object.",
    "skew": "Return unbiased skew over requested axis.",
    "kurt": "Return unbiased kurtosis over requested axis.",
    "idxmax": "Return the row label of the maximum value.",
    "idxmin": "Return the row label of the minimum value.",
    "corr": "Compute correlation with `other` Series, excluding missing values.",
    "value_counts": "Return a Series containing counts of unique values.",
    "isnull": "Detect missing values.",
    "shapiro": "Perform the Shapiro-Wilk test for normality.",
    "normaltest": "Test whether a sample differs from a normal distribution.",
    "pearsonr": "Pearson correlation coefficient and p-value for testing non-correlation.",
    "spearmanr": "Calculate a Spearman correlation coefficient with associated p-value.",
    "zscore": "Compute the z score.",
}


def asks_for_chart(task: str) -> bool:
    return bool(_CHART.search(task))


def answer_fields(task: str) -> list[str]:
    """The fields of the question's answer format, in order (not `@name[value]`, which names the form)."""
    return list(dict.fromkeys(f for f in _FIELD.findall(task) if f != "name"))[:MAX_ANSWERS]


def answers_asked(task: str) -> int:
    """How many values the question asks for: the fields of its answer format, else one."""
    return len(answer_fields(task)) or 1


def line_names(task: str, taken: Sequence[str]) -> list[str]:
    """The name of each value line: the field it fills where that is a free name (not a keyword, a builtin
    or a variable of the session), else `result`, `result2`, ..."""
    fields = answer_fields(task) or ["result"]
    free = [f.isidentifier() and not keyword.iskeyword(f) and not hasattr(builtins, f) and f not in taken
            and f != "stats" for f in fields]  # fmt: skip
    return [f if ok else result_name(i) for i, (f, ok) in enumerate(zip(fields, free, strict=True))]


def named_read(field: str) -> str | None:
    """The read of a test's result (`TEST_READS`) a field names, if any: `p_value`, `shapiroPValue`, `pvalue`
    (pvalue); `t_statistic` (statistic). scipy's own attribute names, not words chosen for a question."""
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", field).lower().replace("_", " ").split()
    said = {*words, *(a + b for a, b in itertools.pairwise(words))}
    return next((read for read in TEST_READS if read in said), None)


def verdict_words(task: str, columns: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The words the task quotes for an answer to take ("yes" or "no", "normal" or "not normal"): quoted texts
    after its question's line that are not a field, a placeholder or a column; none unless two or more."""
    later = "\n".join(task.splitlines()[1:])
    own = {*_FIELD.findall(later), *_PLACEHOLDER.findall(later), *(c for s in columns.values() for c in s)}
    quoted = (a or b for a, b in _QUOTED.findall(later))
    words = list(dict.fromkeys(w for w in quoted if w not in own and re.search(r"[^\W\d]", w)))
    return words if len(words) >= 2 else []


def cutoffs(task: str) -> list[str]:
    """The z-scores an outlier may lie beyond: the task's whole numbers from 1 to 9, else the conventional."""
    return [n for n in task_numbers(task) if n.isdigit() and 1 <= int(n) <= 9] or [CONVENTIONAL_CUTOFF]


def thresholds(task: str) -> list[str]:
    """The significance levels a verdict may compare a p-value with: the task's numbers between 0 and 1."""
    return [n for n in task_numbers(task) if 0 < float(n) < 1] or [CONVENTIONAL_ALPHA]


def question_sentence(task: str) -> str:
    """The question itself: the task's first line, without a number that places it in a list. Later lines
    (DABench's constraints and answer format) quote values an answer may take ("yes" or "no"), not rows."""
    first = next((line for line in task.splitlines() if line.strip()), "")
    return _ENUMERATED.sub("", first)


def question_filters(
    task: str, columns: Mapping[str, Mapping[str, str]], values: Mapping[str, Mapping[str, Sequence[str]]]
) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    """What the question's sentence filters the rows by: per frame, the values of each text column that
    it names (a one-letter value only when quoted), and the numbers it writes that are not part of a
    column's name (a numeric column is compared with them)."""
    sentence = question_sentence(task)
    named: dict[str, dict[str, list[str]]] = {}
    for frame, texts in values.items():
        for column, options in texts.items():
            hits = [v for v in options if _names_value(sentence, v)]
            if hits:
                named.setdefault(frame, {})[column] = hits
    names = " ".join(c for schema in columns.values() for c in schema)
    numbers = [n for n in task_numbers(sentence) if not re.search(rf"(?<!\d){re.escape(n)}(?!\d)", names)]
    numeric = any(is_numeric(t) for schema in columns.values() for t in schema.values())
    return named, numbers if numeric else []


def question_terms(task: str) -> set[str]:
    """The words a piece's match is measured against: the question's sentence and the names of its answer
    format's fields (`@mean_fare[...]`: mean, fare). Not the rest of a task, whose boilerplate ("the table
    is loaded as `df`, give every @name[value]") named a column `Name` in every DABench question."""
    fields = [f for f in _FIELD.findall(task) if f != "name"]
    return set(terms(" ".join([question_sentence(task), *fields])))


def _names_value(sentence: str, value: str) -> bool:
    if len(value) < 2:
        return bool(re.search(rf"['\"]{re.escape(value)}['\"]", sentence))
    return bool(re.search(rf"(?<!\w){re.escape(value)}(?!\w)", sentence))


def share_begun(name: str, task_terms: set[str]) -> float:
    """The share of a name's words that begin a word of the task or that a word of the task begins, at
    least three letters alike (`max` and "maximum", `skew` and "skewness", `isnull` and nothing)."""
    words = set(terms(name))
    alike = {w for w in words for t in task_terms if min(len(w), len(t)) >= 3 and (t.startswith(w) or w.startswith(t))}
    return len(alike) / len(words) if words else 0.0


def operation_shares(question: set[str]) -> dict[str, float]:
    """Each operation's match with the `question`'s terms, 0 to 1: its BM25 relevance by its documentation
    (`DOCUMENTED`), or its name's words begun alike (`share_begun`: "skewness"), whichever is more. A term
    in half the summaries or more ("the", "values") says nothing of which (scaled so the best is 1, "the"
    alone made every reduction a full match), nor does a summary's word of three letters or fewer ("in",
    "for": its grammar; a name's may be short, `std`)."""
    texts = [terms(op) * 2 + [t for t in terms(doc) if len(t) > 3] for op, doc in DOCUMENTED.items()]
    question = {t for t in question if 2 * sum(t in text for text in texts) < len(texts)}
    found = text_relevance(question, texts)
    return {op: max(score, share_begun(op, question)) for op, score in zip(DOCUMENTED, found, strict=True)}
