"""Script sessions (the light path of `codecall run`: sandbox.host.script_run): a script's result is the
one a kernel session gives for the same code, a script session is isolated as a forked kernel session
is, one that crashes, runs out of memory or ignores its time limit is reported, and where forking is
given up a script runs in a kernel session instead."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from codecall.interfaces.workers import Worker
from sandbox import Execution, Limits, Policy, Session, WarmPool
from sandbox.boxes.forked import ForkedBox
from sandbox.host.script_run import run_script
from sandbox.host.session import make_box
from sandbox.host.template import template_for

from .conftest import TEST_LIMITS

LIMITS = Limits(timeout=2, memory=TEST_LIMITS.memory, processes=48, disk=TEST_LIMITS.disk, output=4096)

#: Scripts whose results must be the same on both paths.
SCRIPTS = {
    "print": "x = 1 + 1\nprint(x)\n",
    "exception": "print('before')\nraise ValueError('boom')\n",
    "syntax_error": "def f(:\n    pass\n",
    "timeout": "import time\nprint('start')\nwhile True:\n    time.sleep(0.1)\n",
    "writes_a_file": "with open('out.txt', 'w') as f:\n    f.write('hi')\nprint(open('out.txt').read())\n",
    "last_value": "3 * 7",
    "final_answer": "final_answer({'a': [1, 2]})",
    "stderr": "import sys\nprint('warn', file=sys.stderr)\n",
    "blocked": "import subprocess\nsubprocess.run(['ls'])\n",
    "refused_at_run_time": "try:\n    open('/etc/passwd').read()\nexcept Exception as e:\n    print(type(e))\n",
    "exit_status": "import sys\nsys.exit(3)\n",
    "output_flood": "print('x' * 200000)\nimport sys\nprint('y' * 9000, file=sys.stderr)\n",
    "unicode": "print('héllo ✓')\n",
    "frame_display": "import pandas as pd\npd.DataFrame({'a': [1]})",
    "figure": "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\nprint('drawn')\n",
}


@pytest.fixture(scope="module")
def box() -> ForkedBox:
    return make_box("fork", LIMITS)


@pytest.fixture(scope="module")
def kernel_pool() -> Iterator[WarmPool]:
    with WarmPool("fork", limits=LIMITS, size=1) as pool:
        yield pool


def comparable(execution: Execution) -> dict:
    """An execution as data, less what differs from run to run (its duration, where images were saved)."""
    data = execution.to_json()
    data.pop("duration_s")
    for display in data["displays"]:
        display.pop("path", None)
    return data


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_script_gives_what_a_kernel_session_gives(name: str, box: ForkedBox, kernel_pool: WarmPool) -> None:
    code = SCRIPTS[name]
    light = run_script(box, code, Policy(), LIMITS)
    with kernel_pool.session() as session:
        kernel = session.execute(code)
    assert comparable(light) == comparable(kernel)
    assert not box.notices


def probe(box: ForkedBox, code: str) -> object:
    execution = run_script(box, code, Policy.off(), LIMITS)
    assert execution.ok, execution
    return execution.value


def test_a_script_session_is_isolated(box: ForkedBox) -> None:
    """Its own uid, pid namespace, empty /tmp and work folder, no network, no other session's folders, and
    no descriptor but its own: stdio, the lifeline and its result pipe."""
    with Session("fork", policy=Policy.off(), limits=LIMITS) as sibling:
        sibling.execute("open('/workspace/mine.txt', 'w').write('x')\nopen('/tmp/mine.txt', 'w').write('x')")
        code = f"""
import os, socket
try:
    socket.create_connection(('1.1.1.1', 53), timeout=1)
    net = 'reached'
except OSError:
    net = 'none'
fds = sorted(int(fd) for fd in os.listdir('/proc/self/fd'))
targets = [os.readlink(f'/proc/self/fd/{{fd}}') for fd in fds if os.path.exists(f'/proc/self/fd/{{fd}}')]
[os.getuid(), sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), os.listdir('/workspace'),
 sorted(os.listdir('/tmp')), os.path.exists({str(sibling.work_dir)!r}),
 os.path.exists({str(sibling.kernel.session_dir)!r}), net, socket.gethostname(),
 [t for t in targets if not t.startswith(('pipe:', '/dev/', '/proc/'))]]
"""
        uid, pids, work, tmp, sees_work, sees_session, net, hostname, foreign = probe(box, code)
        other_uid = probe(box, "import os\nos.getuid()")
        assert uid not in (0, sibling.kernel.uid, other_uid)
        assert pids == [1] and work == [] and "mine.txt" not in tmp
        assert (sees_work, sees_session, net, hostname) == (False, False, "none", "sandbox")
        assert foreign == []


def test_a_crash_and_a_memory_bomb_are_reported_killed(box: ForkedBox) -> None:
    crash = run_script(box, "import os\nos._exit(3)", Policy.off(), LIMITS)
    assert crash.status == "killed" and "the sandboxed process died" in crash.error.message
    assert crash.notice.endswith("the script's session ended")
    bomb = run_script(box, "x = bytearray(2 * 1024 ** 3)\nx[::4096] = b'1' * len(x[::4096])", Policy.off(), LIMITS)
    assert bomb.status in ("killed", "error"), bomb
    assert run_script(box, "print(6 * 7)", Policy(), LIMITS).stdout == "42\n"  # the template is unharmed


def test_a_script_that_ignores_its_time_limit_is_killed(box: ForkedBox) -> None:
    code = "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n        pass\n"
    execution = run_script(box, code, Policy.off(), LIMITS)
    assert execution.status == "timeout" and execution.error.type == "TimeoutError"
    assert execution.notice.startswith("it did not stop when interrupted")


def test_where_forking_is_given_up_a_script_runs_in_a_kernel_session() -> None:
    class Unforkable(ForkedBox):  # a box kind of its own, so a template of its own
        pass

    worker = Worker(backend="fork", limits=LIMITS)
    worker.box = Unforkable(LIMITS)
    template_for(worker.box).given_up = "forking given up (simulated)"
    try:
        record = worker.run({"id": 1, "code": "print(6 * 7)"})
        assert (record.status, record.stdout) == ("ok", "42\n")
        assert worker._pool is not None  # it went through the kernel sessions
    finally:
        worker.close()
    row = json.loads(json.dumps(record.to_json()))
    assert set(row) >= {"id", "task", "status", "answer", "error", "steps", "duration_s", "stdout", "stderr"}
