"""What a task gives a guided call: the numbers it writes, the pieces of its text, and the lists it names.

Guided calls take their literal arguments from these, so a small model cannot copy the worked example's
numbers or wander off inside a string; and a reply goes on while a list the task names has an item left.
"""

from __future__ import annotations

import re


def task_numbers(text: str) -> list[str]:
    """The numbers written in a task, as Python literals ("45", "1.75", "-3", "1,500" -> "1500"); those
    inside a longer token such as a date or a code ("2025-01-01", "A4") are its text, not numbers."""
    found = re.findall(r"(?<![\w.,-])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d-]|[.,]\d)", text)
    return list(dict.fromkeys(n if "." in n else str(int(n)) for n in (f.replace(",", "") for f in found)))


#: Numbers a task says in words. A call may use them (`multiply(5, 2)` for "double 5"); none has to. Not
#: "one" or Chinese numerals: "一个苹果" is "an apple", "百万" is "millions", neither a number to pass.
_SPELLED = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "hundred": 100, "thousand": 1000, "million": 1000000,
    "double": 2, "twice": 2, "half": 2, "square": 2, "squared": 2, "triple": 3, "cube": 3, "cubed": 3,
    "percent": 100, "%": 100, "minutes": 60, "hours": 60, "两": 2, "半": 2, "平方": 2, "立方": 3,
}  # fmt: skip


def spelled_numbers(text: str) -> list[str]:
    """The numbers `_SPELLED` finds in a task's words (English by whole word, Chinese by substring)."""
    words = set(re.findall(r"[a-z]+|%", text.lower()))
    found = [n for w, n in _SPELLED.items() if (w in words if w.isascii() else w in text)]
    return list(dict.fromkeys(str(n) for n in found))


#: Quoted text in a task, in ASCII or CJK quotes.
_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|“([^”\n]+)”|‘([^’\n]+)’|「([^」\n]+)」|《([^》\n]+)》")
_WORD = re.compile(r"[^\W_](?:[\w@.+/:-]*[^\W_])?")  #: a word, a date, an email, a code
#: Chinese particles and joining words, which end a piece of text rather than belong to it.
_PARTICLES = re.compile(r"[的了和与是在把吗呢吧及或跟]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")


def task_strings(text: str, *, max_words: int = 3, max_cjk: int = 4) -> list[str]:
    """The strings a call may take from a task: quoted text, runs of up to `max_words` words (and a word's
    singular: "apples" -> "apple"), and pieces of up to `max_cjk` characters of Chinese, Japanese or
    Korean text, which has no spaces to split on (but particles such as 的 and 和 end a piece). Free
    strings are where a small model wanders off (it wrote `reverse_text(")")` and `weather_in(",\n\n...")`);
    the task is where a call's text comes from."""
    spans = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
    for phrase in re.split(r"[^\w\s@.+/:'-]|(?<!\w)[.'-]|[.'-](?!\w)", _QUOTED.sub(" , ", text)):
        words = [w for w in _WORD.findall(phrase) if not _CJK_RUN.search(w)]
        for i in range(len(words)):
            spans += [" ".join(words[i:j]) for j in range(i + 1, min(i + max_words, len(words)) + 1)]
        spans += [w[:-1] for w in words if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3]
    for run in _CJK_RUN.findall(_PARTICLES.sub(" ", text)):
        spans += [run[i:j] for i in range(len(run)) for j in range(i + 1, min(i + max_cjk, len(run)) + 1)]
    return list(dict.fromkeys(s for s in spans if s.strip()))


#: A conjunction between two items of a list, in English or Chinese (with the quote that may close an item).
_AND = r"(?:['\"”’」]?\s*(?:(?:,\s*)?(?:and|or)\b|和|与|及|以及|跟|、)\s*)"


def list_item_left(task: str, texts: set[str], reach: int = 24) -> bool:
    """Whether a string the calls used stands in a list of the task ("France and Italy") whose neighbour
    item (the text within `reach` characters across the conjunction) no call has used yet."""
    for text in texts:
        for match in re.finditer(re.escape(text), task):
            after = re.match(r"[A-Za-z]*" + _AND, task[match.end() :])  # past a plural's "s" too
            before = re.search(_AND + r"$", task[: match.start()])
            sides = [task[match.end() + after.end() :][:reach]] if after else []
            sides += [task[: match.start() - len(before.group())][-reach:]] if before else []
            if any(side.strip() and not any(t in side for t in texts if t != text) for side in sides):
                return True
    return False
