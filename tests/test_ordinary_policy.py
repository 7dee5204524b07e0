"""Ordinary programs run unchanged under the policy: each corpus snippet's stdout with plain CPython
and through compile_cell + make_user_globals (tests/run_restricted.py), each in its own subprocess."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CORPUS = sorted((HERE / "corpus" / "ordinary").glob("*.py"))
RUNNER = HERE / "run_restricted.py"

#: Every snippet whose output differs under the policy, and why. Unlisted differences fail the test.
KNOWN_DIFFERENCES = {
    "091_vars_builtin.py": "vars() is a forbidden builtin (it exposes namespaces); use obj.__dict__",
}


def _run(args: list[str], cwd: Path) -> str:
    proc = subprocess.run([sys.executable, "-I", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    return proc.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """(plain, restricted) stdout per snippet, run concurrently (each in a fresh process)."""

    def both(path: Path) -> tuple[str, tuple[str, str]]:
        plain_dir = tmp_path_factory.mktemp("plain")
        restricted_dir = tmp_path_factory.mktemp("restricted")
        return path.name, (_run([str(path)], plain_dir), _run([str(RUNNER), str(path)], restricted_dir))

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(both, CORPUS))


def test_corpus_size() -> None:
    assert len(CORPUS) >= 90


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_snippet_output(path: Path, outputs: dict[str, tuple[str, str]]) -> None:
    plain, restricted = outputs[path.name]
    assert plain, f"{path.name} printed nothing under plain CPython"
    if path.name in KNOWN_DIFFERENCES:
        assert plain != restricted, f"{path.name} is listed as a known difference but now matches"
    else:
        assert plain == restricted


def test_identical_rate(outputs: dict[str, tuple[str, str]]) -> None:
    same = sum(plain == restricted for plain, restricted in outputs.values())
    rate = same / len(outputs)
    print(f"ordinary corpus: {same}/{len(outputs)} identical ({rate:.1%})")
    assert rate >= 0.95
    assert {n for n, (p, r) in outputs.items() if p != r} == set(KNOWN_DIFFERENCES)
