"""The escape corpus against the policy layers: which layer stops each attack.

Layers, in the order code meets them: `check` (static checker, on the host), `restrict` (the
restricted compiler refuses it), `guard` (a run-time guard refuses, or a builtin is simply absent).
Attack code is never run in this process: the run-time layer runs it in a subprocess through
tests/run_restricted.py, with the placeholders pointing at a temporary secret, a marker path and a
listener on 127.0.0.1, so an attack that got through would be seen (and would touch only those).
The full-box runs of the same files (policy on and off) belong to the kernel backend's tests.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.check import check
from sandbox.policy import DEFAULT_POLICY
from sandbox.restrict import PolicyRejected, compile_cell
from tests.run_restricted import REPORT_PREFIX

HERE = Path(__file__).resolve().parent
CORPUS = sorted((HERE / "corpus" / "escape").glob("*.py"))
RUNNER = HERE / "run_restricted.py"

#: Attacks that use only ordinary, allowed data-analysis APIs on paths or URLs; no policy layer can
#: tell them from real work, so only the box (no host files, no network) stops them.
BOX_ONLY = {
    "read_secret_pandas.py": "pandas.read_csv on a path is ordinary; the box has no host files",
    "socket_via_pandas_url.py": "pandas.read_csv on a URL is ordinary; the box has no network",
}

PLACEHOLDER_SAMPLE = {"__SECRET_PATH__": "/nonexistent/secret", "__MARKER_PATH__": "/nonexistent/marker",
                      "__HOST_PORT__": "9"}  # fmt: skip


def substitute(source: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        source = source.replace(name, value)
    return source


def static_layers(path: Path) -> list[str]:
    """The layers that refuse the file without running it (cheap: used in the test ids)."""
    source = substitute(path.read_text(), PLACEHOLDER_SAMPLE)
    layers = []
    if check(source, DEFAULT_POLICY):
        layers.append("check")
    try:
        compile_cell(source, DEFAULT_POLICY, path.name)
    except PolicyRejected:
        layers.append("restrict")
    return layers


STATIC = {p.name: static_layers(p) for p in CORPUS}


def _id(path: Path) -> str:
    return f"{path.stem}[{'+'.join(STATIC[path.name]) or 'runtime'}]"


class Listener:
    """A TCP listener on the host's 127.0.0.1 that records whether anyone connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.sock.close()


def test_corpus_is_large_and_documented() -> None:
    assert len(CORPUS) >= 25
    for path in CORPUS:
        head = path.read_text().splitlines()[:2]
        assert head[0].startswith("# family: ") and head[1].startswith("# goal: "), path.name
    assert set(BOX_ONLY) <= {p.name for p in CORPUS}


@pytest.mark.parametrize("path", CORPUS, ids=_id)
def test_escape_is_stopped(path: Path, tmp_path: Path, listener: Listener, record_property) -> None:
    token = secrets.token_hex(16)
    secret = tmp_path / "secret.txt"
    secret.write_text(f"TOKEN-{token}\n")
    marker = tmp_path / "marker"
    values = {"__SECRET_PATH__": str(secret), "__MARKER_PATH__": str(marker), "__HOST_PORT__": str(listener.port)}
    layers = list(STATIC[path.name])
    if "restrict" not in layers:
        before = listener.connections
        proc = subprocess.run(
            [sys.executable, "-I", str(RUNNER), *[f"--define={k}={v}" for k, v in values.items()], str(path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith(REPORT_PREFIX)]
        assert lines, proc.stderr[-2000:]
        report = json.loads(lines[-1][len(REPORT_PREFIX) :])
        reached = []
        if token in proc.stdout:
            reached.append("printed the secret")
        if marker.exists():
            reached.append("created the marker")
        if listener.connections > before:
            reached.append("connected to the host")
        if report["refusals"]:
            layers.append("guard")
        elif report["error"] and not reached:
            layers.append(f"runtime ({report['error'].split(':')[0]})")
        if path.name in BOX_ONLY:
            layers.append("box only")
        else:
            assert not reached, f"{path.name} got through the policy layers: {reached}"
    record_property("stopped_by", "+".join(layers))
    print(f"{path.name}: stopped by {' + '.join(layers)}")
    if path.name not in BOX_ONLY:
        assert any(layer in ("check", "restrict", "guard") for layer in layers), layers
