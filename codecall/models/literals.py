"""What a task gives a guided call: the numbers it writes, the pieces of its text, and the lists it names.

Guided calls take their literal arguments from these, so a small model cannot copy the worked example's
numbers or wander off inside a string; and a reply goes on while a list the task names has an item left.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import datetime, time

_NUMBER = re.compile(r"(?<![\w.,-])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d-]|[.,]\d)")


def task_numbers(text: str) -> list[str]:
    """The numbers written in a task, as Python literals ("45", "1.75", "-3", "1,500" -> "1500"); those
    inside a longer token such as a date or a code ("2025-01-01", "A4") are its text, not numbers."""
    found = _NUMBER.findall(text)
    return list(dict.fromkeys(n if "." in n else str(int(n)) for n in (f.replace(",", "") for f in found)))


def number_places(text: str) -> dict[float, list[int]]:
    """Where the task writes each of its numbers (`task_numbers`, by absolute value): the offsets of each."""
    places: dict[float, list[int]] = {}
    for match in _NUMBER.finditer(text):
        places.setdefault(abs(float(match.group().replace(",", ""))), []).append(match.start())
    return places


def percent_numbers(text: str) -> dict[str, str]:
    """The fractions a task writes as percentages, each with the number as written ("5%" -> {"0.05": "5"},
    "2.5 %" -> {"0.025": "2.5"}): a parameter that takes a fraction or a probability is handed the same
    number that way (see `codecall.models.grammar.takes_fraction`). Read from the "%" sign, not from words."""
    found = re.findall(r"(?<![\w.,-])(\d+(?:\.\d+)?)\s?[%％]", text)
    return {repr(round(float(n) / 100, 12)): n for n in found}


#: SI prefixes a unit written after a number may carry, with their factors: "175 cm" is 1.75 in metres.
_PREFIXES = {"k": 1e3, "c": 1e-2, "m": 1e-3}
_UNIT = re.compile(r" ?([A-Za-z]+)\b")  #: the word a number is written with, right after it ("72 kg", "4.5 hours")


def unit_numbers(text: str) -> list[tuple[str, str]]:
    """Each number the task writes with a word right after it, as (number as `task_numbers` writes it, the
    word lowercased): "72 kg and 1.80 m" -> [("72", "kg"), ("1.80", "m")]. The word may be a unit."""
    found = []
    for match in _NUMBER.finditer(text):
        unit = _UNIT.match(text, match.end())
        if unit:
            number = match.group().replace(",", "")
            found.append((number if "." in number else str(int(number)), unit[1].lower()))
    return found


def in_unit(written: list[tuple[str, str]], name: str) -> dict[str, str]:
    """The numbers of `written` (`unit_numbers`) in a unit that a word of a parameter's `name` is (`kg` of
    `weight_kg`, `hours` of `hours_per_day`), or in that unit with an SI prefix more or less, converted
    ("175 cm" for `height_m`: 1.75): {the value as a literal: the number as written}. Read from the name the
    tool's author wrote and the units the task writes: no table of units, only the SI prefixes."""
    found: dict[str, str] = {}
    for word in (w.lower() for w in _name_words(name)):
        for number, unit in written:
            if _singular(unit) == _singular(word):
                found.setdefault(number, number)
            elif (factor := _prefix_factor(unit, word)) is not None:
                value = float(number) * factor
                found.setdefault(str(int(value)) if value.is_integer() else repr(round(value, 10)), number)
    return found


def _singular(word: str) -> str:
    """A unit's name less a plural "s" ("hours" and `hour`); a symbol ("ms", "kg") is left as it is."""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _prefix_factor(unit: str, word: str) -> float | None:
    """What a number in `unit` is multiplied by to be in `word`'s unit, when the two differ by an SI prefix
    ("cm" and "m": 0.01; "m" and "km": 0.001); None otherwise."""
    if len(unit) > 1 and unit[0] in _PREFIXES and unit[1:] == word:
        return _PREFIXES[unit[0]]
    if len(word) > 1 and word[0] in _PREFIXES and word[1:] == unit:
        return 1 / _PREFIXES[word[0]]
    return None


_ISO_DAY = re.compile(r"(?<!\d)(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?!\d)")
_NAMED_DAY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(\d{4})\b)?")
_DAY_NAMED = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]{3,9}),?\s+(\d{4})\b")
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s?m\b\.?"
                    r"|(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])", re.I)


def task_moments(text: str) -> list[datetime]:
    """The dates a task writes, each at each time of day it writes, and alone (at midnight) where a
    sentence writes the date without a time, in the order written: "8:30 AM on March 25th, 2023" ->
    2023-03-25 08:30; "on March 5th, 2023." alone -> 2023-03-05 00:00. For a string parameter whose
    schema gives a strftime format ("Format: %Y-%m-%d %H:%M:%S"), the guide offers these written in that
    format. Dates are ISO (2023-03-25, 2023/3/25) or a month's name as the standard library's C locale knows
    it (`%b`, English) with a day, and a year (else the year the task writes elsewhere); times are
    "4:30 pm", "9 am", "23:59" or "23:59:59". On the API-Bank dev split the dates of 82 of 92 references
    with a date are offered, against 72 before times took seconds; offering every date at midnight too
    offers as many, with 33 more date-times that no reference writes (143 against 110)."""
    years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)
    found: list[tuple[int, int, int, int]] = []  # (where, year, month, day)
    for m in _ISO_DAY.finditer(text):
        found.append((m.start(), int(m[1]), int(m[2]), int(m[3])))
    for m in _NAMED_DAY.finditer(text):
        if (month := _month(m[1])) and (m[3] or years):
            found.append((m.start(), int(m[3] or years[0]), month, int(m[2])))
    for m in _DAY_NAMED.finditer(text):
        if month := _month(m[2]):
            found.append((m.start(), int(m[3]), month, int(m[1])))
    clocks: list[tuple[int, time]] = []
    for m in _CLOCK.finditer(text):
        hour, minute, second = (int(m[1]), int(m[2] or 0), 0) if m[1] else (int(m[4]), int(m[5]), int(m[6] or 0))
        if m[3]:
            hour = hour % 12 + (12 if m[3].lower() == "p" else 0)
        if hour < 24 and minute < 60 and second < 60:
            clocks.append((m.start(), time(hour, minute, second)))
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    timed = {bisect_right(ends, where) for where, _ in clocks}  # the sentences that write a time
    times = list(dict.fromkeys(t for _, t in clocks))
    moments = []
    for where, year, month, day in sorted(found):
        try:
            moment = datetime(year, month, day)
        except ValueError:
            continue
        alone = [] if bisect_right(ends, where) in timed else [moment]
        moments += [*alone, *(datetime.combine(moment.date(), t) for t in times)]
    return list(dict.fromkeys(moments))


#: The end of a sentence: a full stop, question or exclamation mark before a space (or the end).
_SENTENCE_END = re.compile(r"[.?!。？！](?=\s|$)")


def _month(name: str) -> int | None:
    try:
        return datetime.strptime(name[:3].title(), "%b").month
    except ValueError:
        return None


def quoted(text: str) -> list[str]:
    """The text inside quotes (ASCII or CJK) in `text`: what an error message names as a value."""
    return [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]


#: Quoted text in a task, in ASCII or CJK quotes.
_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|“([^”\n]+)”|‘([^’\n]+)’|「([^」\n]+)」|《([^》\n]+)》")
_WORD = re.compile(r"[^\W_](?:[\w@.+/:-]*[^\W_])?")  #: a word, a date, an email, a code
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")


def task_strings(text: str, *, max_words: int = 3, max_cjk: int = 4) -> list[str]:
    """The strings a call may take from a task: quoted text, runs of up to `max_words` words, and pieces of
    up to `max_cjk` characters of Chinese, Japanese or Korean text, which has no spaces to split on. Free
    strings are where a small model wanders off (it wrote `reverse_text(")")` and `weather_in(",\n\n...")`);
    the task is where a call's text comes from, and which piece is the model's choice. No word lists: no
    singular forms, no particles that end a piece (a tool that wants "apple" where the task says "apples"
    says so in its error, whose quoted values the next step may use)."""
    spans = quoted(text)
    for phrase in re.split(r"[^\w\s@.+/:'-]|(?<!\w)[.'-]|[.'-](?!\w)", _QUOTED.sub(" , ", text)):
        words = [w for w in _WORD.findall(phrase) if not _CJK_RUN.search(w)]
        for i in range(len(words)):
            spans += [" ".join(words[i:j]) for j in range(i + 1, min(i + max_words, len(words)) + 1)]
        # a word less its last letter or two ("apples" -> "apple"): a stem, read from no language's rules;
        # greedy decoding still copies the whole word first, and a failed call's ending is what goes
        spans += [w[:-k] for w in words for k in (1, 2) if len(w) - k >= 3 and w[:-k].isalpha()]
    for run in _CJK_RUN.findall(text):
        spans += [run[i:j] for i in range(len(run)) for j in range(i + 1, min(i + max_cjk, len(run)) + 1)]
    return list(dict.fromkeys(s for s in spans if s.strip()))


def named_values(task: str, name: str, strings: list[str], reach: int = 3, most: int = 12) -> list[str]:
    """The `strings` that begin at one of the `reach` words after a place the task writes a parameter's
    `name` ("username is JaneSmith" for `username`, "user ID is 123456" for `user_id`): where a value
    the task gives for that parameter is written, in whole words or a whole quoted text. At most `most`,
    nearest the first place first, and after each place a quoted text first: a quote marks a value (the
    pieces of "a question about a document" crowded out "my question is "What ...?"")."""
    pattern = _name_pattern(name)
    if pattern is None:
        return []
    starts: dict[int, tuple[int, int]] = {}  # where a value may begin: (which place of the name, which word)
    for place, match in enumerate(pattern.finditer(task)):
        after = [w.start() + match.end() for w in _WORD.finditer(task[match.end() :])][:reach]
        starts |= {p: (place, k) for k, p in enumerate(after) if p not in starts}
    ends = {w.end() for w in _WORD.finditer(task)}  # a value is whole words: not "mira" of "mira@k.example"
    spans = {m.span(g) for m in _QUOTED.finditer(task) for g in range(1, 7) if m.group(g)}  # quoted texts
    found = []
    for s in strings:
        for p in _places(task, s):
            whole = (p, p + len(s)) in spans
            if p in starts and (p + len(s) in ends or whole):
                found.append((starts[p][0], not whole, starts[p][1], s))
    return list(dict.fromkeys(s for *_, s in sorted(found)))[:most]


def _name_words(name: str) -> list[str]:
    """The words of a parameter's name, split at `_` and camelCase."""
    return [w for w in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if w]


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """A parameter's name as the task may write it: its words, in order."""
    words = _name_words(name)
    if not words:
        return None
    return re.compile(r"(?<![^\W_])" + r"[\s_-]*".join(map(re.escape, words)) + r"(?![^\W_])", re.I)


def _places(text: str, piece: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(piece), text)]


_CLAUSE_END = re.compile(r"[.?!;。？！；](?:\s|$)|[。？！；]")  #: where a clause ends, and a list with it

#: A conjunction between two items of a list, in English or Chinese (with the quote that may close an item).
_AND = r"(?:['\"”’」]?\s*(?:(?:,\s*)?(?:and|or)\b|和|与|及|以及|跟|、)\s*)"


def list_item_left(task: str, texts: set[str], reach: int = 60) -> bool:
    """Whether a string the calls used stands in a list of the task ("France and Italy") whose neighbour
    item (the text across the conjunction, within `reach` characters and its clause) no call has used
    yet. A clause ends at a full stop, question mark or semicolon: "my old password is "x1" and my new
    password is "y2"." has no item left once both are used. Read over the references' calls, as whether
    more calls follow each one: right at 129 of 230 call boundaries of the API-Bank dev split and 84 of
    117 of codecall's, against 123 and 82 when the neighbour was the next 24 characters whatever they
    held (test split: 124 of 217 against 115, 89 of 122 both)."""
    for text in texts:
        for match in re.finditer(re.escape(text), task):
            after = re.match(r"[A-Za-z]*" + _AND, task[match.end() :])  # past a plural's "s" too
            before = re.search(_AND + r"$", task[: match.start()])
            sides = [_CLAUSE_END.split(task[match.end() + after.end() :][:reach])[0]] if after else []
            sides += [_CLAUSE_END.split(task[: match.start() - len(before.group())][-reach:])[-1]] if before else []
            if any(side.strip() and not any(t in side for t in texts if t != text) for side in sides):
                return True
    return False
