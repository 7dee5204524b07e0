"""`codecall batch --executor ray` against a real cluster started by `ray start --head`, with token
authentication on (the head finds a token in its ~/.ray/auth_token), joined by both address forms and with
the token from the file or from $RAY_AUTH_TOKEN. A scripted model (canned replies, not a language model).

The cluster is this test's alone: its own HOME (so its own token file), its own Ray temp folder
($RAY_TMPDIR, where `auto` looks for it), its own port on 127.0.0.1 (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
keeps Ray on loopback rather than the machine's address), in its own process group, which teardown ends;
never `ray stop`, which would stop every Ray on the machine.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("ray")

TOOLS = '''from codecall import tool


@tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b
'''
TASKS = {"two": ("What is 1 + 1?", "x = add(1, 1)"), "five": ("What is 2 + 3?", "x = add(2, 3)")}


@dataclass
class Cluster:
    root: Path
    port: int
    token: str
    env: dict[str, str]  #: what a process on the head machine has: HOME with the token file, RAY_TMPDIR

    def batch(self, address: str, **env: str) -> tuple[subprocess.CompletedProcess, dict]:
        """`codecall batch` of TASKS on this cluster, in a process of its own (Ray's state is per process):
        the process, and its rows' (status, answer) by id."""
        folder = Path(tempfile.mkdtemp(dir=self.root))
        (folder / "tools.py").write_text(TOOLS)
        lines = [json.dumps({"id": key, "task": task, "tools": "tools.py"}) for key, (task, _) in TASKS.items()]
        (folder / "tasks.jsonl").write_text("\n".join(lines) + "\n")
        replies = {task: f"```python\n{code}\nfinal_answer(x)\n```" for task, code in TASKS.values()}
        (folder / "replies.json").write_text(json.dumps(replies))
        command = [sys.executable, "-m", "codecall", "batch", str(folder / "tasks.jsonl"), "-o",
                   str(folder / "results.jsonl"), "-j", "2", "--executor", "ray", "--ray-address", address,
                   "--model", f"scripted:{folder / 'replies.json'}", "--timeout", "20"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, env={**self.env, **env})
        results = folder / "results.jsonl"
        rows = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
        return done, {row["id"]: (row["status"], row["answer"]) for row in rows}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="ccray-", dir="/tmp"))  # short: Ray's unix socket paths must fit
    home = root / "home"
    (home / ".ray").mkdir(parents=True)
    token = secrets.token_hex(32)
    (home / ".ray" / "auth_token").write_text(token)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(HOME=str(home), RAY_TMPDIR=str(root / "ray"), RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0")
    (root / "ray").mkdir()
    port = free_port()
    log = root / "head.log"
    ray = str(Path(sys.executable).with_name("ray"))
    with log.open("wb") as out:
        head = subprocess.Popen([ray, "start", "--head", "--port", str(port), "--num-cpus", "2",
                                 "--include-dashboard", "false", "--disable-usage-stats", "--block"],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while b"Ray runtime started" not in log.read_bytes():
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ray start --head did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        assert b"Token authentication is enabled" in log.read_bytes()  # as deployed: the head requires the token
        yield Cluster(root, port, token, env)
    finally:
        _stop(head)
        shutil.rmtree(root, ignore_errors=True)


def _stop(head: subprocess.Popen) -> None:
    """End the head's process group (its GCS, raylet, workers): SIGTERM, then SIGKILL what is left."""
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(head.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(head.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


EXPECTED = {"two": ("answered", 2.0), "five": ("answered", 5.0)}


def test_host_port_with_the_token_file(cluster: Cluster) -> None:
    done, answers = cluster.batch(f"127.0.0.1:{cluster.port}")
    assert done.returncode == 0 and answers == EXPECTED, done.stderr[-3000:]


def test_auto_with_the_token_file(cluster: Cluster) -> None:
    done, answers = cluster.batch("auto")
    assert done.returncode == 0 and answers == EXPECTED, done.stderr[-3000:]


def test_host_port_with_the_token_in_the_environment(cluster: Cluster) -> None:
    elsewhere = cluster.root / "elsewhere"  # a machine without the token file
    elsewhere.mkdir(exist_ok=True)
    done, answers = cluster.batch(f"127.0.0.1:{cluster.port}", HOME=str(elsewhere), RAY_AUTH_TOKEN=cluster.token)
    assert done.returncode == 0 and answers == EXPECTED, done.stderr[-3000:]


def test_without_a_token_the_error_says_what_to_give(cluster: Cluster) -> None:
    elsewhere = cluster.root / "no-token"
    elsewhere.mkdir(exist_ok=True)
    done, answers = cluster.batch(f"127.0.0.1:{cluster.port}", HOME=str(elsewhere))
    assert done.returncode == 2 and not answers
    assert "cannot join the Ray cluster at 127.0.0.1:" in done.stderr and "RAY_AUTH_TOKEN" in done.stderr
