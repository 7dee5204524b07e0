"""`codecall run` is a batch: one row per script (unreadable and repeated ones included), appended and
fsynced, resumable after SIGKILL, the same rows on Ray; and `codecall batch` rows that hold code or name a
script run without a model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codecall.interfaces.batch import run_batch
from codecall.interfaces.scripts import run_scripts

from .conftest import TEST_LIMITS
from .test_batch import kill_halfway


def make_scripts(folder: Path, count: int) -> tuple[list[str], dict]:
    """`count` scripts, two of them unreadable and one given twice; the paths as given and the expected
    (status, stdout) by row key: ("id", path), or ("line", n) for the repeat."""
    paths, expected = [], {}
    for i in range(count - 3):
        path = folder / f"s{i:03d}.py"
        path.write_text(f"print({i} * 2)\n" if i % 10 else f"raise ValueError({i})\n")
        paths.append(str(path))
        expected[("id", str(path))] = ("ok", f"{i * 2}\n") if i % 10 else ("error", "")
    (folder / "binary.py").write_bytes(b"\xff\xfe\x00")
    for bad in (folder / "binary.py", folder / "missing.py"):
        paths.insert(len(paths) // 2, str(bad))
        expected[("id", str(bad))] = ("error", "")
    paths.append(paths[0])
    expected[("line", len(paths))] = ("error", "")
    return paths, expected


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def check_rows(rows: list[dict], expected: dict) -> None:
    keys = [("line", row["line"]) if "line" in row else ("id", row["id"]) for row in rows]
    assert len(keys) == len(set(keys)), "a row was written twice"
    assert set(keys) == set(expected)
    for key, row in zip(keys, rows, strict=True):
        assert (row["status"], row["stdout"]) == expected[key], row


def cli(paths: list[str], results: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "codecall", "run", *paths, "-o", str(results), "--timeout", "10", *extra]


def test_killed_halfway_then_resumed(tmp_path: Path) -> None:
    """SIGKILL the CLI once about half the rows are written; the rerun neither loses nor redoes a row."""
    paths, expected = make_scripts(tmp_path, 120)
    results = tmp_path / "results.jsonl"
    written = kill_halfway(cli(paths, results, "-j", "2"), results, 120)

    rerun = subprocess.run(cli(paths, results), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 1, rerun.stderr  # 1: some rows failed (the bad ones)
    assert results.read_text().startswith(written)
    check_rows(rows_of(results), expected)
    assert "120/120 rows" in rerun.stderr and "were already done" in rerun.stderr

    again = subprocess.run(cli(paths, results), capture_output=True, text=True, timeout=120)
    assert "wrote 0" in again.stderr and len(rows_of(results)) == 120


def test_ray_executor_gives_the_same_rows(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    paths, expected = make_scripts(tmp_path, 16)
    local = run_scripts(paths, results_path=tmp_path / "local.jsonl", jobs=2, limits=TEST_LIMITS)
    remote = run_scripts(paths, results_path=tmp_path / "ray.jsonl", jobs=2, executor="ray", limits=TEST_LIMITS)
    assert local.ran == remote.ran == 16
    for name in ("local.jsonl", "ray.jsonl"):
        check_rows(rows_of(tmp_path / name), expected)


def test_batch_rows_with_code_or_a_script_run_without_a_model(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("print('from a file')\n")
    rows = [{"id": 1, "code": "print(6 * 7)"}, {"id": 2, "script": "a.py"}, {"id": 3, "script": "missing.py"},
            {"id": 4, "code": 5}, {"id": 5, "code": "import subprocess"}]  # fmt: skip
    (tmp_path / "tasks.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    summary = run_batch(tmp_path / "tasks.jsonl", tmp_path / "results.jsonl", jobs=2, progress=False,
                        model="scripted:/no/such/replies.json", backend="fork", limits=TEST_LIMITS)  # fmt: skip
    got = {row["id"]: row for row in rows_of(tmp_path / "results.jsonl")}
    assert summary.ran == 5 and set(got) == {1, 2, 3, 4, 5}
    assert (got[1]["status"], got[1]["stdout"]) == ("ok", "42\n")
    assert (got[2]["status"], got[2]["stdout"], got[2]["task"]) == ("ok", "from a file\n", "a.py")
    assert got[3]["status"] == "error" and "cannot read the script" in got[3]["error"]
    assert got[4]["status"] == "error" and "'code' must be" in got[4]["error"]
    assert got[5]["status"] == "blocked"
