"""Pick the few tools relevant to a task, so a prompt stays short and a small model chooses among few.

A BM25 score over each tool's name, description, docstring and parameters. Words are split the way
code names them (`celsius_to_fahrenheit`, `getWeather`) and stemmed (Snowball, English); Chinese (and other CJK) text
is read as characters and character pairs, since it has no spaces. No word lists: no stop words (BM25's
idf already gives a word that every tool's text has next to no weight) and no glossary from one language
to another (a Chinese task finds an English tool only through whatever Chinese its docstring holds, so an
author can add aliases there; the guide's tool choice then rests on the model's likelihood). Lexical on
purpose: no embedding model to download, a few hundred microseconds per task, and its choice is easy to
explain; the choice goes into the trace (`Step.tools_shown`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import snowballstemmer

from codecall.tools import Tool

#: Snowball's English stemmer: "calculate" and "Calculator" share "calcul", "registration" and "register" do
#: not. Among 20+ tools it took retrieval's recall of the needed tools on the API-Bank dev split from 21 to
#: 24 of 26, where the light hand-written stemmer it replaced (plurals, -ing, -ed) missed `Calculator`.
_STEMMER = snowballstemmer.stemmer("english")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z]+|\d+")


def terms(text: str) -> list[str]:
    """Search terms of `text`: stemmed words (code names split), and CJK characters and character pairs."""
    out: list[str] = []
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("_", " ")
    for word in _WORD.findall(spaced):
        word = word.lower()
        if len(word) > 1:  # no stop-word list: BM25's idf gives words every tool has next to nothing
            out.append(_STEMMER.stemWord(word))
    for run in _CJK.findall(text):
        out.extend(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def select_tools(task: str, tools: Sequence[Tool], k: int = 6) -> list[Tool]:
    """Up to `k` tools that match `task`, best first (all of them when there are no more than `k`).

    Tools sharing no term with the task are left out, since every extra tool is one more wrong choice
    for a small model; when none matches, the first `k` are shown rather than none.
    """
    if len(tools) <= k:
        return list(tools)
    scores = relevance(task, tools)
    ranked = sorted(range(len(tools)), key=lambda i: -scores[i])  # stable: ties keep the given order
    return [tools[i] for i in ranked[:k] if scores[i] > 0] or list(tools[:k])


def relevance(task: str, tools: Sequence[Tool]) -> list[float]:
    """Each tool's BM25 score for `task` among `tools`, scaled so the best is 1 (all 0 when none matches)."""
    return text_relevance(set(terms(task)), [_tool_terms(t) for t in tools])


def text_relevance(query: set[str], texts: Sequence[list[str]]) -> list[float]:
    """Each text's (its terms') BM25 score for the `query` terms among `texts`, scaled so the best is 1."""
    docs = [Counter(text) for text in texts]
    avg_len = sum(sum(d.values()) for d in docs) / max(len(docs), 1) or 1.0
    scores = [_bm25(query, doc, docs, avg_len) for doc in docs]
    best = max(scores, default=0.0)
    return [s / best if best else 0.0 for s in scores]


def _tool_terms(tool: Tool) -> list[str]:
    props = tool.parameters.get("properties") or {}
    params = " ".join(f"{name} {prop.get('description', '')}" for name, prop in props.items())
    return terms(tool.name) * 2 + terms(f"{tool.doc or tool.description} {params}")


def _bm25(query: set[str], doc: Counter[str], docs: list[Counter[str]], avg_len: float) -> float:
    k1, b = 1.2, 0.75
    length = sum(doc.values())
    score = 0.0
    for term in query & doc.keys():
        having = sum(term in d for d in docs)
        idf = math.log(1 + (len(docs) - having + 0.5) / (having + 0.5))
        tf = doc[term]
        score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg_len))
    return score
