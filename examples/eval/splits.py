"""The dev/test split of the evaluation sets: a fixed rule, applied once, before any tuning.

Tasks that call the same set of tools (`needs`) in the same source form a group, and a group is never
split: near-copies of a task (API-Bank has several dialogues per API; the codecall set has English and
Chinese versions of a question) then stay on one side, so what is tuned on dev cannot be a copy of a test
task. Groups are taken in the order of a hash of their key and each goes to the split that leaves the
per-category counts of its source closest to even (ties: the split with fewer tasks, then the hash's
parity), which gives about half of every source x category to each side.

The result is stored in each task's "split" field; `python examples/eval/splits.py` rewrites the fields from
the rule. Run it only while building the set: once anyone has looked at dev results, a task added later
takes the split of its group, or, in a new group, the hash's parity, and nothing else moves.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

SALT = "codecall-eval-2026"
FILES = ("codecall.jsonl", "apibank.jsonl")


def group_of(task: dict) -> str:
    return f"{task['source']}|{' '.join(sorted(task['needs']))}"


def _hash(key: str) -> bytes:
    return hashlib.sha256(f"{SALT}|{key}".encode()).digest()


def _cost(counts: dict[str, Counter], members: Counter, side: str, parity: int) -> tuple[int, int, int]:
    """How uneven the categories are once `members` join `side`; then that side's size; then the parity."""
    after = {s: counts[s] + (members if s == side else Counter()) for s in counts}
    spread = sum(abs(after["dev"][c] - after["test"][c]) for c in after["dev"] | after["test"])
    return spread, sum(after[side].values()), (side == "test") ^ parity


def assign(tasks: list[dict]) -> dict[str, str]:
    """{task id: "dev" or "test"} by the rule above."""
    out: dict[str, str] = {}
    by_source: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for task in tasks:
        by_source[task["source"]][group_of(task)].append(task)
    for groups in by_source.values():
        counts: dict[str, Counter] = {"dev": Counter(), "test": Counter()}
        for key in sorted(groups, key=_hash):
            members = Counter(t["category"] for t in groups[key])
            parity = _hash(key)[0] % 2
            side = min(counts, key=lambda s: _cost(counts, members, s, parity))  # noqa: B023 (used at once)
            counts[side] += members
            out.update({t["id"]: side for t in groups[key]})
    return out


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(folder: Path) -> None:
    files = {name: _load(folder / name) for name in FILES}
    splits = assign([t for rows in files.values() for t in rows])
    for name, rows in files.items():
        lines = []
        for task in rows:
            ordered = {}
            for k, v in task.items():
                if k != "split":
                    ordered[k] = v
                if k == "tags":
                    ordered["split"] = splits[task["id"]]
            lines.append(json.dumps(ordered, ensure_ascii=False))
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
