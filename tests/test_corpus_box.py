"""Both corpora through the real box.

Ordinary snippets: each runs through `codecall run --json` (full policy, a fresh boxed session each)
and its stdout is compared with plain CPython's; each must be identical, except the snippets listed
(with their reason) in test_ordinary_policy.KNOWN_DIFFERENCES, which must still differ.
Escape corpus: each attack runs in a fresh boxed session with the policy layers on, and again with them
off (on every backend, and in a script session of its own as `codecall run` runs it); none may reach the
host (print the secret, create the marker, connect to the listener), and the test records which layer
stopped it: check, guard (restricted runtime), or box.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sandbox import Execution, Policy, WarmPool
from sandbox.host.script_run import run_script
from sandbox.host.session import make_box
from tests.test_escape_policy import BOX_ONLY, substitute
from tests.test_escape_policy import CORPUS as ESCAPES
from tests.test_ordinary_policy import CORPUS as ORDINARY
from tests.test_ordinary_policy import KNOWN_DIFFERENCES

from .conftest import TEST_LIMITS, backends

CODECALL = [sys.executable, "-m", "codecall"]


@pytest.fixture(scope="module")
def box_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """`codecall run --json -j 2` over the whole ordinary corpus, one result per script."""
    proc = subprocess.run([*CODECALL, "run", "--json", "-j", "2", *map(str, ORDINARY)], capture_output=True,
                          text=True, timeout=900, cwd=tmp_path_factory.mktemp("run"))  # fmt: skip
    assert proc.stdout, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return {Path(row["task"]).name: row for row in rows}


def plain_stdout(path: Path, cwd: Path) -> str:
    """Plain CPython's stdout, bytes decoded as they are (no newline translation: csv writes \r\n)."""
    return subprocess.run([sys.executable, "-I", str(path)], capture_output=True, timeout=120,
                          cwd=cwd, env={**os.environ, "MPLBACKEND": "Agg"}).stdout.decode()  # fmt: skip


def test_ordinary_corpus_runs_unchanged_in_the_box(box_outputs: dict[str, dict], tmp_path: Path) -> None:
    assert len(box_outputs) == len(ORDINARY) >= 120
    differ = {}
    for path in ORDINARY:
        row = box_outputs[path.name]
        assert set(row) >= {"id", "task", "status", "stdout", "stderr", "error", "duration_s"}
        if row["stdout"] != plain_stdout(path, tmp_path):
            differ[path.name] = f"{row['status']} {row['error']}"
    unexplained = {name: why for name, why in differ.items() if name not in KNOWN_DIFFERENCES}
    assert not unexplained, unexplained
    assert set(differ) == set(KNOWN_DIFFERENCES), "listed as known differences but identical in the box"


class ScriptSessions:
    """Each attack in a script session of its own (sandbox.host.script_run), as `codecall run` runs it."""

    def __init__(self, policy: Policy) -> None:
        self.box, self.policy = make_box("fork", TEST_LIMITS), policy

    @contextmanager
    def session(self) -> Iterator[ScriptSessions]:
        yield self

    def execute(self, code: str, timeout: float) -> Execution:
        return run_script(self.box, code, self.policy, TEST_LIMITS, timeout=timeout)


@pytest.fixture(scope="module", params=[(b, on) for b in [*backends(), "script"] for on in (True, False)],
                ids=lambda p: f"{p[0]}-policy-{'on' if p[1] else 'off'}")  # fmt: skip
def attack_pool(request: pytest.FixtureRequest):
    backend, policy_on = request.param
    policy = Policy() if policy_on else Policy.off()
    if backend == "script":
        yield ScriptSessions(policy), policy_on
        return
    with WarmPool(backend, policy=policy, limits=TEST_LIMITS, size=2) as pool:
        yield pool, policy_on


@pytest.mark.parametrize("attack", ESCAPES, ids=lambda p: p.stem)
def test_escape_does_not_reach_the_host(attack: Path, attack_pool, host_secret, host_listener, tmp_path) -> None:
    pool, policy_on = attack_pool
    secret_path, secret = host_secret
    port, accepted = host_listener
    marker = tmp_path / "marker"
    source = substitute(attack.read_text(), {"__SECRET_PATH__": str(secret_path), "__MARKER_PATH__": str(marker),
                                             "__HOST_PORT__": str(port)})  # fmt: skip
    with pool.session() as session:
        execution = session.execute(source, timeout=10)
    seen = json.dumps(execution.to_json(), default=str)
    assert secret not in seen, f"{attack.name} read the host secret"
    assert not marker.exists(), f"{attack.name} created a file on the host"
    assert accepted == [], f"{attack.name} connected to the host"
    layer = stopping_layer(execution, policy_on)
    print(f"{attack.name}: stopped by {layer} ({execution.status})")
    if policy_on and attack.name not in BOX_ONLY:
        assert layer != "box", f"{attack.name} passed the policy layers: {execution.status} {execution.error}"


def stopping_layer(execution, policy_on: bool) -> str:
    """static (checker or restricted compiler: nothing ran), guard (refused while running), or box."""
    if execution.status == "blocked":
        return "static"
    return "guard" if policy_on and execution.refusals else "box"
