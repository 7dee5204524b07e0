"""Sessions forked from one template are isolated from each other and from the template.

Real forked sessions with no policy layers (Policy.off()): what holds here is the box alone. The
escape corpus, the containment tests and the session tests also run on forked sessions (the `fork`
backend in conftest.backends()).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Policy, Session
from sandbox.boxes.forked import ForkedBox
from sandbox.host import kernel, template
from sandbox.host.template import ForkedKernel, template_for

from .conftest import TEST_LIMITS


def bare() -> Session:
    session = Session("fork", policy=Policy.off(), limits=TEST_LIMITS)
    assert isinstance(session.kernel.manager, ForkedKernel), session.notices
    return session


@pytest.fixture
def siblings() -> Iterator[tuple[Session, Session]]:
    first, second = bare(), bare()
    yield first, second
    first.close()
    second.close()


def test_siblings_do_not_see_each_others_files(siblings: tuple[Session, Session]) -> None:
    first, second = siblings
    assert first.execute("open('/workspace/mine.txt', 'w').write('first')\n"
                         "open('/tmp/mine.txt', 'w').write('first')").ok  # fmt: skip
    assert second.execute("import os\nos.listdir('/workspace')").value == []
    assert "mine.txt" not in second.execute("import os\nos.listdir('/tmp')").value
    for path in (first.work_dir, first.kernel.session_dir):  # the other's folders, by their host paths
        seen = second.execute(f"import os\nos.path.exists({str(path)!r})").value
        assert seen is False, path
    assert second.execute(f"import os\nos.path.exists({str(first.kernel.session_dir.parent.parent)!r} + "
                          f"'/' + {first.kernel.id!r})").value is False  # fmt: skip


def test_siblings_do_not_see_each_others_processes(siblings: tuple[Session, Session]) -> None:
    first, second = siblings
    assert first.kernel.uid != second.kernel.uid
    pids = second.execute("import os\nsorted(int(p) for p in os.listdir('/proc') if p.isdigit())").value
    assert pids == [1]  # only itself: pid 1 of its own pid namespace
    host_pid = first.kernel.manager.pid
    signal_it = second.execute(f"import os\ntry:\n    os.kill({host_pid}, 0)\n    r = 'reached'\n"
                               "except OSError as e:\n    r = e.errno\nr")  # fmt: skip
    assert signal_it.value != "reached"
    hostname = second.execute("import socket\nsocket.gethostname()").value
    assert hostname == "sandbox"


def test_siblings_cannot_read_each_others_memory(siblings: tuple[Session, Session]) -> None:
    first, second = siblings
    host_pid = first.kernel.manager.pid
    code = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            f"r = libc.ptrace(16, {host_pid}, 0, 0)\n"
            f"(r, ctypes.get_errno(), os.path.exists('/proc/{host_pid}/mem'))")  # fmt: skip
    result, errno_, mem_visible = second.execute(code).value
    assert result == -1 and errno_ != 0 and mem_visible is False
    first.execute("secret = 'first-session-secret'")
    later = bare()  # forked after the first session changed its memory: copy-on-write kept it apart
    try:
        assert later.execute("'secret' in dir()").value is False
    finally:
        later.close()


def test_no_descriptor_of_the_template_or_a_sibling_is_open(siblings: tuple[Session, Session]) -> None:
    """Every socket the session holds was made in its own network namespace or is one of its own kernel's
    endpoints (the host's connections to them are accepted there), so none is the template's listening
    socket or one of its connections to a host; and no file is open outside its own folders."""
    _, second = siblings
    code = f"""
import os, re, socket
own = {{line.split()[6] for line in open('/proc/self/net/unix').read().splitlines()[1:]}}
foreign = []
for fd in os.listdir('/proc/self/fd'):
    try:
        target = os.readlink(f'/proc/self/fd/{{fd}}')
    except OSError:
        continue
    inode = re.fullmatch(r'socket:\\[(\\d+)\\]', target)
    if inode and inode.group(1) not in own:
        probe = socket.socket(fileno=os.dup(int(fd)))
        name = probe.getsockname()
        probe.close()
        if not (isinstance(name, str) and name.startswith({str(second.kernel.session_dir)!r})):
            foreign.append((target, name))
    elif target.startswith('/') and not target.startswith(('/dev/', '/workspace', '/tmp', '/proc')):
        foreign.append(target)
foreign
"""
    assert second.execute(code).value == []


def test_a_crash_or_fork_bomb_in_one_leaves_the_template_and_siblings_alone(
    siblings: tuple[Session, Session],
) -> None:
    first, second = siblings
    starts = template_for(first.box).starts
    second.execute("kept = 42")
    bomb = first.execute("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
                         timeout=3)  # fmt: skip
    assert bomb.status in ("timeout", "killed")
    crash = first.execute("import os\nos._exit(3)")
    assert crash.status == "killed" and "restarted" in crash.notice
    assert second.execute("kept").value == 42
    assert first.execute("1 + 1").value == 2
    assert template_for(first.box).starts == starts


def test_a_dead_template_is_restarted() -> None:
    with bare() as session:
        owner = template_for(session.box)
        starts = owner.starts
        owner.process.kill()
        owner.process.wait()
    with bare() as fresh:
        assert fresh.execute("2 * 21").value == 42
    assert owner.starts == starts + 1


def test_a_template_whose_libraries_changed_is_rebuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    with bare() as session:
        owner = template_for(session.box)
    starts = owner.starts
    monkeypatch.setattr(template, "libraries_fingerprint", lambda: ("changed",))
    monkeypatch.setattr(owner, "_checked_at", 0.0)
    with bare() as fresh:
        assert fresh.execute("1").value == 1
    assert owner.starts == starts + 1


def test_a_template_whose_sessions_never_start_is_given_up_for_cold_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where forked sessions cannot start (say, a box without mount rights: simulated here by a failing
    readiness wait), a session starts cold instead, with a notice, and later ones do not try to fork."""

    class Unforkable(ForkedBox):  # a box kind of its own, so a template of its own
        pass

    real_wait = kernel.wait_until_ready

    def fail_forked(client, manager, timeout):
        if isinstance(manager, ForkedKernel):
            raise RuntimeError("the kernel died while starting (simulated)")
        real_wait(client, manager, timeout)

    monkeypatch.setattr(kernel, "wait_until_ready", fail_forked)
    box = Unforkable(TEST_LIMITS)
    with Session(box, limits=TEST_LIMITS) as first, Session(box, limits=TEST_LIMITS) as second:
        for session in (first, second):
            assert not isinstance(session.kernel.manager, ForkedKernel)
            assert session.execute("6 * 7").value == 42
        assert any("sessions start cold" in notice for notice in first.notices)
    assert template_for(box).given_up and template_for(box).starts == 1
