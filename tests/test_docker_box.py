"""The docker box itself: what the container is allowed, what it leaves behind, what the image holds.

The behaviours both boxes share (state, tools, timeouts, bombs, no network, recovery) run against
Docker in test_session.py; these are the Docker-only ones. Not skipped in CI: the test command runs
scripts/setup-docker.sh first (dockerd, image).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Policy, Session
from sandbox.boxes import docker
from sandbox.boxes.base import PACKAGE_ROOT, in_box_mounts
from sandbox.boxes.docker import DockerBox, container_name, docker_cli, remove_leftovers
from sandbox.boxes.image import image_current
from sandbox.policy import DEFAULT_IMPORTS

from .conftest import TEST_LIMITS, MiB

pytestmark = pytest.mark.docker

_missing = DockerBox.unavailable()
if _missing and not os.environ.get("CI"):
    pytest.skip(f"docker backend unavailable: {_missing}", allow_module_level=True)


@pytest.fixture
def bare() -> Iterator[Session]:
    """A docker session with no policy layers: what holds is the container (and boot's seccomp)."""
    with Session("docker", policy=Policy.off(), limits=TEST_LIMITS) as s:
        yield s


def _inspect(session: Session) -> dict:
    found = docker_cli("inspect", container_name(session.kernel.spec))
    assert found.returncode == 0, found.stderr
    return json.loads(found.stdout)[0]


def _containers(*filters: str) -> list[str]:
    argv = ["ps", "--all", "--quiet"]
    for item in filters:
        argv += ["--filter", item]
    return docker_cli(*argv).stdout.split()


def test_container_is_locked_down(bare: Session) -> None:
    info = _inspect(bare)
    host = info["HostConfig"]
    assert host["NetworkMode"] == "none" and host["IpcMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["Memory"] == host["MemorySwap"] == TEST_LIMITS.memory
    assert host["PidsLimit"] == TEST_LIMITS.processes
    assert host["NanoCpus"] == int(TEST_LIMITS.cpus * 1e9)
    assert f"size={TEST_LIMITS.disk}" in host["Tmpfs"]["/tmp"]
    assert info["Config"]["User"] == f"{bare.kernel.uid}:{bare.kernel.uid}"
    labels = info["Config"]["Labels"]
    assert labels["codecall"] == "1" and labels["codecall.session"] == bare.kernel.spec.session_id
    assert labels["codecall.pid"] == str(os.getpid())
    mounts = {m["Destination"]: (m["Source"], m["RW"]) for m in info["Mounts"]}
    assert mounts == {
        str(bare.kernel.session_dir): (str(bare.kernel.session_dir), True),
        "/workspace": (str(bare.work_dir), True),
        **{target: (source, False) for source, target in in_box_mounts()},  # the in-box parts only
    }


def test_only_work_folder_and_tmp_are_writable(bare: Session) -> None:
    code = (
        "import os\nresults = {}\n"
        "for folder in ['/', '/usr', '/etc', '/var', '/opt/codecall/sandbox', '/opt/codecall/sandbox/policy',\n"
        "               '/dev', '/workspace', '/tmp']:\n"
        "    try:\n"
        "        with open(os.path.join(folder, 'probe'), 'w') as f:\n"
        "            f.write('x')\n"
        "        results[folder] = 'written'\n"
        "    except OSError as e:\n"
        "        results[folder] = type(e).__name__\n"
        "results"
    )
    results = bare.execute(code).value
    assert results.pop("/workspace") == "written" and results.pop("/tmp") == "written"
    assert all(outcome != "written" for outcome in results.values()), results
    assert results["/usr"] == "OSError"  # EROFS: the root itself is read-only, not just root-owned


def test_tmp_is_a_size_limited_tmpfs(bare: Session) -> None:
    code = (
        "chunk = b'0' * (1 << 20)\nwritten = 0\ntry:\n"
        "    for n in range(4):\n"
        "        with open(f'/tmp/fill{n}', 'wb') as f:\n"
        f"            for _ in range({TEST_LIMITS.file_size // MiB - 1}):\n"
        "                f.write(chunk)\n                written += 1\n"
        "except OSError as e:\n    print(e.errno, written)"
    )
    result = bare.execute(code)
    errno_seen, written = (int(part) for part in result.stdout.split())
    assert errno_seen == 28  # ENOSPC
    assert written <= TEST_LIMITS.disk // MiB


def test_no_network_interfaces_but_loopback(bare: Session) -> None:
    interfaces = bare.execute("[line.split(':')[0].strip() for line in open('/proc/net/dev').readlines()[2:]]")
    assert interfaces.value == ["lo"]


def test_host_processes_are_invisible(bare: Session) -> None:
    code = (
        "import os\n(open('/proc/1/cmdline').read().split(chr(0))[0], [p for p in os.listdir('/proc') if p.isdigit()])"
    )
    init, processes = bare.execute(code).value
    assert init.endswith("docker-init")  # its own pid namespace, whose init is docker's
    assert len(processes) <= 3 and str(os.getpid()) not in processes


def test_memory_bomb_is_reported_as_the_memory_limit(bare: Session) -> None:
    result = bare.execute("hog = []\nwhile True:\n    hog.append(bytearray(64 * 1024 * 1024))")
    assert result.status == "killed", result
    assert f"memory limit of {TEST_LIMITS.memory // MiB} MiB" in result.error.message
    assert bare.execute("1 + 1").value == 2


def test_container_killed_from_outside_restarts_in_a_new_container(bare: Session) -> None:
    bare.execute("before = 1")
    first = container_name(bare.kernel.spec)
    threading.Timer(1.0, docker_cli, args=("kill", first)).start()
    result = bare.execute("import time\ntime.sleep(20)")
    assert result.status == "killed" and "restarted" in result.notice
    assert container_name(bare.kernel.spec) != first
    assert _containers(f"name={first}") == []
    assert bare.execute("'before' in dir()").value is False


def test_close_removes_the_container() -> None:
    session = Session("docker", limits=TEST_LIMITS)
    session_id = session.kernel.spec.session_id
    assert len(_containers(f"label=codecall.session={session_id}")) == 1
    session.close()
    assert _containers(f"label=codecall.session={session_id}") == []


def test_leftovers_of_a_killed_host_process_are_removed(bare: Session) -> None:
    """`codecall docker clean` removes what a host process left when its watchdog died with it (alone, the
    watchdog removes it: tests/test_orphans.py)."""
    script = (
        "from sandbox import Session\n"
        "s = Session('docker')\n"
        "print(s.kernel.spec.session_id, s.kernel.session_dir.parent.parent, flush=True)\n"
        "import time; time.sleep(120)\n"
    )
    host = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=PACKAGE_ROOT)
    session_id, host_root = host.stdout.readline().split()
    token = session_id.split("-")[0]
    for pid in filter(str.isdigit, os.listdir("/proc")):  # its watchdog first: it would remove the container
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"sandbox.host.watchdog" in command and token.encode() in command:
            os.kill(int(pid), signal.SIGKILL)
    host.send_signal(signal.SIGKILL)
    host.wait()
    assert len(_containers(f"label=codecall.session={session_id}")) == 1  # SIGKILL leaves it running
    mine = len(_containers(f"label=codecall.pid={os.getpid()}"))
    assert remove_leftovers() >= 1
    assert _containers(f"label=codecall.session={session_id}") == []
    assert len(_containers(f"label=codecall.pid={os.getpid()}")) == mine  # live owners keep theirs
    subprocess.run(["rm", "-rf", host_root], check=True)


def test_unavailable_says_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert DockerBox.unavailable() is None
    monkeypatch.setattr(docker, "IMAGE_TAG", "codecall-sandbox:no-such-tag")
    assert "run `codecall image build`" in DockerBox.unavailable()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-daemon.sock")
    assert "start dockerd" in DockerBox.unavailable()
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "apt-get install docker.io" in DockerBox.unavailable()


def test_image_holds_what_the_policy_allows(bare: Session) -> None:
    code = (
        "import importlib.util\n"
        f"missing = [m for m in {sorted(DEFAULT_IMPORTS)!r} if importlib.util.find_spec(m) is None]\n"
        "extra = [m for m in ['torch', 'transformers', 'requests', 'pip'] if importlib.util.find_spec(m)]\n"
        "(missing, extra)"
    )
    assert bare.execute(code).value == [[], []]
    assert image_current()


def test_warm_pool_hands_out_docker_sessions_fast() -> None:
    from sandbox import WarmPool

    with WarmPool("docker", size=1, limits=TEST_LIMITS) as pool:
        assert pool.wait_ready(timeout=60)
        with pool.session() as session:
            assert session.execute("x = 1 + 1\nx").value == 2


def test_setup_script_is_idempotent() -> None:
    done = subprocess.run(["sh", str(PACKAGE_ROOT / "scripts" / "setup-docker.sh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "present and current" in done.stdout
