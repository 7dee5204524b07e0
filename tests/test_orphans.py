"""No orphaned sandboxes: a host process killed outright (SIGKILL) leaves nothing of it behind.

Each test starts a real host process that opens a session, kills it with SIGKILL while the session is
live, and polls (with a generous deadline, no timing claim) until none of its processes, containers,
cgroups or folders remain.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.boxes import cgroups
from sandbox.boxes.docker import docker_cli
from tests.conftest import backends

HOST = """
import sys, time
from sandbox import Session
from sandbox.host.host_process import HOST_PROCESS
session = Session(sys.argv[1])
assert session.execute("1 + 1").value == 2
print(HOST_PROCESS.token, HOST_PROCESS.root(), flush=True)
time.sleep(600)
"""

#: A host process killed while a script session (sandbox.host.script_run) runs its script.
SCRIPT_HOST = """
import threading, time
from sandbox import Limits, Policy
from sandbox.host.host_process import HOST_PROCESS
from sandbox.host.script_run import run_script
from sandbox.host.session import make_box
box, limits = make_box("fork", Limits()), Limits(timeout=600)
code = "import time\\nopen('/workspace/started', 'w').close()\\ntime.sleep(600)"
threading.Thread(target=run_script, args=(box, code, Policy.off(), limits), daemon=True).start()
while not list(HOST_PROCESS.root().glob("*/work/started")):
    time.sleep(0.05)
print(HOST_PROCESS.token, HOST_PROCESS.root(), flush=True)
time.sleep(600)
"""

DEADLINE_S = 60.0


def leftovers(token: str, root: str) -> list[str]:
    """Everything of the host process with this token that still exists."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if token.encode() in command or root.encode() in command:
            found.append(f"process {pid}: {command[:60]!r}")
    for parent in cgroups.parents():
        found += [f"cgroup {p}" for p in parent.glob(f"codecall-{token}-*")]
    if os.path.exists(root):
        found.append(f"folder {root}")
    if os.path.exists("/var/run/docker.sock"):
        listed = docker_cli("ps", "--all", "--quiet", "--filter", f"name=^codecall-{token}-")
        found += [f"container {c}" for c in listed.stdout.split()]
    return found


@pytest.mark.parametrize("backend", [*backends(), "script"])
def test_sigkill_of_the_host_leaves_nothing(backend: str) -> None:
    argv = [sys.executable, "-c", SCRIPT_HOST] if backend == "script" else [sys.executable, "-c", HOST, backend]
    host = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        token, root = host.stdout.readline().split()
        assert leftovers(token, root), "the live session should be visible to the probe"
        os.kill(host.pid, signal.SIGKILL)
        host.wait()
        deadline = time.monotonic() + DEADLINE_S
        while leftovers(token, root) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert leftovers(token, root) == []
    finally:
        if host.poll() is None:
            host.kill()
