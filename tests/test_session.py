"""Behaviour of a sandbox session with real boxed kernels: state, tools, limits, containment, recovery."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pandas as pd

from sandbox import Session
from sandbox.host.kernel import Reply
from sandbox.host.template import ForkedKernel

from .conftest import TEST_LIMITS


def test_state_persists_between_executions(session: Session) -> None:
    assert session.execute("x = 40\ndef f(y):\n    return x + y").ok
    result = session.execute("f(2)")
    assert result.status == "ok"
    assert result.value == 42 and result.value_repr == "42"


def test_stdout_value_and_error_with_user_line(session: Session) -> None:
    result = session.execute("print('hi')\nvalues = [1, 2]\nvalues[5]")
    assert result.status == "error"
    assert result.stdout == "hi\n"
    assert result.error.type == "IndexError"
    assert result.error.line == 3
    assert "line 3" in result.error.traceback and "runtime.py" not in result.error.traceback


def test_tool_round_trip_good_and_bad_arguments(backend: str) -> None:
    calls = []

    def add(a: int, b: int) -> int:
        """Add two integers."""
        calls.append((a, b))
        return a + b

    with Session(backend, tools={"add": add}, limits=TEST_LIMITS) as s:
        ok = s.execute("add(2, b=3)")
        assert ok.status == "ok" and ok.value == 5
        bad = s.execute("add('two', 3)")
        assert bad.status == "error" and bad.error.type == "ToolCallError"
        assert "argument 'a'" in bad.error.message
        caught = s.execute("try:\n    add(1)\nexcept TypeError as e:\n    print('caught', e)")
        assert "caught add()" in caught.stdout
        signature = s.execute("import inspect\nstr(inspect.signature(add))")
        assert signature.status in ("ok", "blocked")  # inspect is outside the default allow-list
    assert calls == [(2, 3)]


def test_tool_exception_comes_back_as_exception(backend: str) -> None:
    def fails(x: int) -> int:
        raise ValueError("no such record")

    with Session(backend, tools={"fails": fails}, limits=TEST_LIMITS) as s:
        result = s.execute("try:\n    fails(1)\nexcept ToolCallError as e:\n    print(e)")
        assert "no such record" in result.stdout


def test_dataframes_cross_both_ways(backend: str) -> None:
    def summarise(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.groupby("k", as_index=False)["v"].sum()

    with Session(backend, tools={"summarise": summarise}, limits=TEST_LIMITS) as s:
        s.put("df", pd.DataFrame({"k": ["a", "b", "a"], "v": [1, 2, 3]}))
        result = s.execute("out = summarise(df)\nout['double'] = out.v * 2\nout")
        assert result.status == "ok", result.error
        assert any("text/html" in d.data for d in result.displays)
        frame = s.get("out")
        assert list(frame["double"]) == [8, 4]


def test_put_and_get_values_and_files(session: Session, tmp_path) -> None:
    session.put("config", {"rate": 0.5, "names": ["a", "b"], "pair": (1, 2)})
    assert session.execute("config['rate'] * 2").value == 1.0
    assert session.get("config") == {"rate": 0.5, "names": ["a", "b"], "pair": (1, 2)}
    data = tmp_path / "sales.csv"
    data.write_text("region,amount\nnorth,10\nsouth,32\n")
    where = session.put_file(data)
    result = session.execute(f"import pandas as pd\nint(pd.read_csv({where!r}).amount.sum())")
    assert result.value == 42


def test_blocked_import_gives_line_level_message(session: Session) -> None:
    result = session.execute("x = 1\nimport subprocess")
    assert result.status == "blocked"
    assert result.violations[0].line == 2
    assert "import of 'subprocess' is not allowed" in str(result.violations[0])


def test_infinite_loop_times_out_and_state_survives(session: Session) -> None:
    session.execute("kept = 'still here'")
    result = session.execute("while True:\n    pass", timeout=1.5)
    assert result.status == "timeout"
    assert "keeps its state" in result.notice
    assert session.execute("kept").value == "still here"
    assert result.error.type == "TimeoutError" and result.error.line == 1  # where it was interrupted


def test_code_raising_keyboard_interrupt_is_an_error_not_a_timeout(session: Session) -> None:
    result = session.execute("x = 1\nraise KeyboardInterrupt('by hand')")
    assert result.status == "error" and result.notice is None
    assert (result.error.type, result.error.message, result.error.line) == ("KeyboardInterrupt", "by hand", 2)


def test_figures_come_back_as_image_files(session: Session) -> None:
    result = session.execute("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.title('t')\nplt.show()")
    assert result.status == "ok", result.error
    images = [d.path for d in result.displays if d.path]
    assert images and open(images[0], "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_files_written_in_work_folder_are_reported(session: Session) -> None:
    result = session.execute("import pandas as pd\npd.DataFrame({'a': [1]}).to_csv('out.csv')")
    assert result.files == ["out.csv"]
    assert (session.work_dir / "out.csv").exists()


def test_output_flood_is_capped(session: Session) -> None:
    result = session.execute("while True:\n    print('x' * 1000)", timeout=2)
    assert result.status == "timeout"
    assert len(result.stdout) < TEST_LIMITS.output + 200
    assert "more characters not shown" in result.stdout


def test_memory_bomb_is_contained(bare_session: Session) -> None:
    result = bare_session.execute("hog = []\nwhile True:\n    hog.append(bytearray(64 * 1024 * 1024))")
    assert result.status in ("error", "killed"), result
    if result.status == "error":
        assert result.error.type == "MemoryError"
    else:
        assert "restarted" in result.notice
    assert bare_session.execute("1 + 1").value == 2


def test_fork_bomb_is_contained(bare_session: Session) -> None:
    result = bare_session.execute("import os\nwhile True:\n    os.fork()", timeout=3)
    assert result.status in ("error", "timeout", "killed")
    assert subprocess.run(["true"]).returncode == 0  # the host can still make processes
    assert bare_session.execute("2 + 2").value == 4


def test_big_file_write_is_contained(bare_session: Session) -> None:
    two_gib = "chunk = b'0' * (1 << 20)\nwith open('big.bin', 'wb') as f:\n    for _ in range(2048):\n"
    code = two_gib + "        f.write(chunk)"
    result = bare_session.execute(code)
    assert result.status == "error"
    assert result.error.type == "OSError" and "too large" in result.error.message.lower()
    assert (bare_session.work_dir / "big.bin").stat().st_size <= TEST_LIMITS.file_size


def test_no_network_to_the_host(bare_session: Session, host_listener) -> None:
    port, accepted = host_listener
    code = (
        f"import socket\ntry:\n    s = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "    print('connected')\nexcept OSError as e:\n    print('refused', type(e).__name__)"
    )
    result = bare_session.execute(code)
    assert "refused" in result.stdout, result
    time.sleep(0.3)
    assert accepted == []


def test_host_files_and_environment_are_invisible(bare_session: Session, host_secret, monkeypatch) -> None:
    monkeypatch.setenv("CODECALL_TEST_TOKEN", "host-only")
    path, content = host_secret
    result = bare_session.execute(f"print(open({str(path)!r}).read())")
    assert result.status == "error" and content not in result.stdout
    assert result.error.type in ("FileNotFoundError", "PermissionError")  # absent, or a box folder it can't enter
    home = str(path.parent.parent)
    seen = bare_session.execute(f"import os\ntry:\n    print(os.listdir({home!r}))\nexcept OSError as e:\n"
                                "    print(type(e).__name__)\nprint(os.getuid())")  # fmt: skip
    assert path.parent.name not in seen.stdout  # the host's home shows nothing but the Python install
    assert int(seen.stdout.split()[-1]) != 0  # not root
    environment = bare_session.execute("import os\nsorted(os.environ)").value
    assert "CODECALL_TEST_TOKEN" not in environment


def test_kill_mid_execution_reports_killed_and_recovers(session: Session) -> None:
    session.execute("before = 1")
    manager = session.kernel.manager
    pid = manager.pid if isinstance(manager, ForkedKernel) else manager.provisioner.process.pid
    timer = threading.Timer(1.0, _kill_box_kernel, args=(pid,))
    timer.start()
    result = session.execute("import time\ntime.sleep(20)")
    timer.join()
    assert result.status == "killed"
    assert "restarted" in result.notice
    after = session.execute("'before' in dir()")
    assert after.status == "ok" and after.value is False
    assert session.execute("3 * 3").value == 9


def _kill_box_kernel(launcher_pid: int) -> None:
    """SIGKILL the Python kernel process inside the box (a descendant of the launcher)."""
    for pid in _descendants(launcher_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"sandbox.inside.boot" in f.read():
                    os.kill(pid, signal.SIGKILL)
                    return
        except OSError:
            continue
    os.kill(launcher_pid, signal.SIGKILL)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        found.append(pid)
        frontier.extend(children.get(pid, []))
    return found


def test_final_answer_cannot_be_swallowed(session: Session) -> None:
    result = session.execute("try:\n    final_answer(7)\nexcept Exception:\n    print('swallowed')\nprint('after')")
    assert result.answered and result.answer == 7
    assert "swallowed" not in result.stdout and "after" not in result.stdout


def test_warm_pool_hands_out_clean_sessions() -> None:
    from sandbox import WarmPool

    with WarmPool(size=1, limits=TEST_LIMITS) as pool:
        assert pool.wait_ready(timeout=60)
        with pool.session() as first:
            first.execute("leftover = 1")
        assert pool.wait_ready(timeout=60)
        with pool.session() as second:
            assert second.execute("'leftover' in dir()").value is False


def test_a_kernel_that_breaks_the_protocol_is_replaced(bare_session: Session) -> None:
    result = bare_session.execute("import json\njson.dumps = lambda *a, **k: 'garbage'\nprint('x')")
    assert result.status == "killed" and "malformed" in result.notice
    assert bare_session.execute("6 * 7").value == 42


def test_a_forged_result_cannot_crash_the_host(bare_session: Session, monkeypatch) -> None:
    forged = "from IPython.display import publish_display_data\npublish_display_data({'%s': {'error': 42}})"
    result = bare_session.execute(forged % "application/vnd.codecall.result+json")
    assert result.status == "ok"  # the runtime's own result comes last and wins

    # a result that is not what the runtime writes: the kernel is treated as broken and replaced
    monkeypatch.setattr(bare_session.kernel, "call", lambda *a: Reply(result={"status": "ok", "error": 42}))
    result = bare_session.execute("1")
    assert result.status == "killed" and "malformed" in result.notice
    assert bare_session.execute("1 + 2").value == 3  # the replacement kernel


def test_the_connection_file_is_readable_by_the_kernel_before_it_starts(monkeypatch) -> None:
    """The kernel runs as its own uid: a connection file still root's 0600 when it launches cannot be read
    by a kernel that comes up before the host thread gets to chmod it (seen under GIL contention)."""
    from sandbox.host import kernel

    modes: list[int] = []
    start = kernel.KernelManager.start_kernel

    def noting_the_mode(self, **options):
        modes.append(os.stat(self.connection_file).st_mode & 0o777)
        return start(self, **options)

    monkeypatch.setattr(kernel.KernelManager, "start_kernel", noting_the_mode)
    with Session("kernel", limits=TEST_LIMITS) as session:
        assert session.execute("print(6 * 7)").stdout == "42\n"
    assert modes == [0o644]


def test_a_pool_with_a_total_starts_that_many_kernels_and_no_more() -> None:
    """`codecall ask` starts its one kernel while the model loads; taking it must not start another."""
    from sandbox import WarmPool

    with WarmPool(size=1, total=1, limits=TEST_LIMITS) as pool:
        assert pool.wait_ready(1, timeout=60)
        with pool.session() as session:
            assert session.execute("6 * 7").value == 42
            time.sleep(0.5)  # the filler wakes at once when a kernel is taken
        assert pool._started == 1 and not pool._ready
