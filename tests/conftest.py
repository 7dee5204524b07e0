"""Shared fixtures: real boxed sessions, on the backends this run can use."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Limits, Policy, Session
from sandbox.errors import BoxUnavailable
from sandbox.host.session import make_box

MiB = 1024 * 1024

#: Small limits so that bombs are contained quickly.
TEST_LIMITS = Limits(timeout=10, memory=512 * MiB, processes=48, file_size=64 * MiB, disk=128 * MiB, output=4096)


def backends() -> list[str]:
    """The backends under test: the kernel box cold and forked, and docker in CI (where it must work) or
    where this host has it."""
    found = ["kernel", "fork"]
    if os.environ.get("CI") or _docker_ready():
        found.append("docker")
    return found


def _docker_ready() -> bool:
    try:
        make_box("docker", TEST_LIMITS)
    except (BoxUnavailable, ImportError):
        return False
    return True


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def session(backend: str) -> Iterator[Session]:
    with Session(backend, limits=TEST_LIMITS) as s:
        yield s


@pytest.fixture
def bare_session(backend: str) -> Iterator[Session]:
    """No policy layers at all: what holds here is the box alone."""
    with Session(backend, policy=Policy.off(), limits=TEST_LIMITS) as s:
        yield s


@pytest.fixture
def host_secret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A file on the host that sandboxed code must never read."""
    folder = Path.home() / f".codecall-test-secret-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    secret = folder / "secret.txt"
    content = "TOP-SECRET-" + os.urandom(8).hex()
    secret.write_text(content)
    yield secret, content
    secret.unlink()
    folder.rmdir()


@pytest.fixture
def host_listener() -> Iterator[tuple[int, list]]:
    """A TCP listener on the host's 127.0.0.1; the list collects any connection it accepts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted: list = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except OSError:
                continue
            accepted.append(address)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()
