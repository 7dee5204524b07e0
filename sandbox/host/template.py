"""Templates: sessions forked in milliseconds from a process that has already imported everything.

One template per box configuration and host process (`template_for`), started on first use, restarted
when it died, rebuilt when the libraries it imported changed on disk. `Template.fork` asks it for a
session over a unix socket (the protocol is in sandbox.inside.zygote) and returns a `ForkedKernel`: the
host's handle on that session, with the few methods of a jupyter_client KernelManager that BoxedKernel
uses, so everything above it is the same for forked and cold sessions. `Template.fork_script` asks for a
script session instead, which runs one script and exits (sandbox.host.script_run).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from sandbox.boxes.base import PACKAGE_ROOT, BoxSpec
from sandbox.boxes.bubblewrap import python_roots
from sandbox.boxes.cgroups import Cgroup
from sandbox.boxes.forked import ForkedBox
from sandbox.errors import KernelDied
from sandbox.host.host_process import HOST_PROCESS
from sandbox.inside.forked_session import KINDS

#: How often (seconds at most) a template checks whether its libraries changed on disk.
FINGERPRINT_EVERY_S = 2.0
#: zmq's reconnect interval for a forked session's client, ms: its sockets connect before the kernel has
#: bound its own (a fork is that fast), and zmq's default of 100 ms between tries would be most of a start.
RECONNECT_MS = 2


class ForkedKernel:
    """The host's handle on one forked session: its connection to the template (closing it kills the session)."""

    def __init__(self, connection: socket.socket, pid: int, connection_file: Path, context: zmq.Context) -> None:
        self.connection, self.connection_file, self.context = connection, connection_file, context
        self.pid = pid  #: the session's pid on the host (pid 1 in its own namespace)
        self.exit_status: str | None = None
        self._client: BlockingKernelClient | None = None
        self._placing: threading.Thread | None = None

    def place(self, group: Cgroup | None) -> None:
        """Move the session into `group` and then say go, in a thread: the first write to a cgroup v1
        hierarchy after a pause waits for an RCU grace period (about 8 ms, hardly any CPU), and the session
        sets its kernel up meanwhile (it serves nothing before the go). A failure ends the session."""

        def move() -> None:
            try:
                for procs in group.procs_files if group else []:
                    Path(procs).write_text(str(self.pid))
                self.connection.sendall(b"go")
            except OSError as error:
                self.exit_status = f"not placed in its cgroups: {error}"
                self.connection.shutdown(socket.SHUT_RDWR)  # the template kills the session

        self._placing = threading.Thread(target=move, name="codecall-place", daemon=True)
        self._placing.start()

    def is_alive(self) -> bool:
        if self.exit_status is None and select.select([self.connection], [], [], 0)[0]:
            self.exit_status = self.connection.recv(256).decode(errors="replace").strip() or "gone"
        return self.exit_status is None

    def blocking_client(self) -> BlockingKernelClient:
        self._client = BlockingKernelClient(connection_file=str(self.connection_file), context=self.context)
        self._client.load_connection_file()
        return self._client

    def interrupt_kernel(self) -> None:
        """An interrupt_request on the control channel (the kernels run in message mode: no signals)."""
        if self._client is not None:
            self._client.control_channel.send(self._client.session.msg("interrupt_request", content={}))

    def shutdown_kernel(self, now: bool = True) -> None:
        """Tell the template to kill the session, and wait (briefly) until it has."""
        if self._placing is not None:
            self._placing.join()
        try:
            if self.is_alive():
                self.connection.sendall(b"kill")
                select.select([self.connection], [], [], 5.0)
        except OSError:
            pass
        self.connection.close()


class Template:
    """One template process in a ForkedBox, and the forking of sessions from it."""

    def __init__(self, box: ForkedBox) -> None:
        self.box = box
        self.process: subprocess.Popen | None = None
        self.folder: Path | None = None
        self.starts = 0  #: how many times a template process was started (restarts and rebuilds count)
        self.worked = False  #: a session it forked has started
        self.given_up: str | None = None  #: why this host forks no more sessions (then they start cold)
        self._fingerprint: tuple = ()
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self.context = zmq.Context()
        self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)

    @property
    def sockets(self) -> dict[str, Path]:
        """The template's socket for each kind of session."""
        assert self.folder is not None
        return {kind: self.folder / f"{kind}.sock" for kind in KINDS}

    def ensure(self) -> None:
        """A running template whose libraries are the ones on disk: started, restarted or rebuilt."""
        with self._lock:
            alive = self.process is not None and self.process.poll() is None
            if alive and time.monotonic() - self._checked_at > FINGERPRINT_EVERY_S:
                self._checked_at = time.monotonic()
                alive = libraries_fingerprint() == self._fingerprint
            if not alive:
                self._stop()
                self._start()

    def _start(self) -> None:
        root = HOST_PROCESS.root()
        self.folder = root / f"template-{HOST_PROCESS.new_id()}"
        self.folder.mkdir(mode=0o700)
        self._fingerprint, self._checked_at = libraries_fingerprint(), time.monotonic()
        lifeline = HOST_PROCESS.lifeline()
        argv = self.box.template_command(self.sockets, root, lifeline)
        with open(self.folder / "template.log", "wb") as log:
            self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                                            pass_fds=(lifeline,), start_new_session=True)  # fmt: skip
        self.starts += 1
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        self.process.stdout.close()
        if b"ready" not in line:
            tail = (self.folder / "template.log").read_text(errors="replace").splitlines()[-6:]
            self._stop()
            raise KernelDied("the session template did not start:\n" + "\n".join(tail))

    def _stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def give_up(self, reason: str) -> None:
        """A forked session did not start: unless one ever did, fork no more (sessions start cold)."""
        if not self.worked:
            self.given_up = reason
            self.close()

    def fork(self, box: ForkedBox, spec: BoxSpec, log_path: Path) -> ForkedKernel:
        """A new kernel session of `box` (its limits, its cgroups) from the template, on a connection file
        written here."""
        write_connection_file(str(spec.connection_file), transport="ipc", ip=str(spec.session_dir / "ipc"),
                              key=os.urandom(32).hex().encode(), signature_scheme="hmac-sha256")  # fmt: skip
        os.chmod(spec.connection_file, 0o644)
        with open(log_path, "wb") as log:
            return self._ask("kernel", box, spec, {}, [log.fileno()])

    def fork_script(self, box: ForkedBox, spec: BoxSpec, log_path: Path, code: str,
                    timeout: float | None) -> tuple[ForkedKernel, list[int]]:  # fmt: skip
        """A new script session (sandbox.inside.script) that runs `code`, and the read ends of its stdout,
        stderr and result pipes."""
        pipes = [os.pipe() for _ in range(3)]
        try:
            with open(log_path, "wb") as log:
                extra = {"code": code, "timeout": timeout}
                kernel = self._ask("script", box, spec, extra, [log.fileno(), *(w for _, w in pipes)])
        except BaseException:
            for read, _ in pipes:
                os.close(read)
            raise
        finally:
            for _, write in pipes:
                os.close(write)
        return kernel, [read for read, _ in pipes]

    def _ask(self, kind: str, box: ForkedBox, spec: BoxSpec, extra: dict, fds: list[int]) -> ForkedKernel:
        """Ask the template for a session of `kind` with `fds` (the log first), and place it in its cgroups."""
        if self.given_up:
            raise KernelDied(self.given_up)
        self.ensure()
        group = box.session_cgroup(spec)
        request = {"boot": spec.boot, "session_dir": str(spec.session_dir), "work_dir": str(spec.work_dir),
                   "sessions_root": str(HOST_PROCESS.root()), "disk": box.limits.disk, **extra}  # fmt: skip
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            connection.connect(str(self.sockets[kind]))
            line = json.dumps(request).encode() + b"\n"
            connection.sendall(line[socket.send_fds(connection, [line], fds) :])  # a long script: in parts
            pid = _hello_pid(connection)
        except OSError as error:
            connection.close()
            raise KernelDied(f"the session template did not fork a session: {error}") from error
        kernel = ForkedKernel(connection, pid, spec.connection_file, self.context)
        kernel.place(group)
        return kernel

    def close(self) -> None:
        with self._lock:
            self._stop()


def _hello_pid(connection: socket.socket) -> int:
    """The host pid of the session that sent b"hello" (the kernel translates it across pid namespaces)."""
    connection.settimeout(30)
    message, ancillary, _, _ = connection.recvmsg(64, socket.CMSG_SPACE(struct.calcsize("3i")))
    connection.settimeout(None)
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and message == b"hello":
            return struct.unpack("3i", data[: struct.calcsize("3i")])[0]
    raise OSError(f"the template answered {message[:80]!r} instead of a session's hello")


def libraries_fingerprint() -> tuple:
    """Modification times of what a template imports: the Python environments' package folders (a pip
    install or uninstall touches them) and the in-box parts of this package."""
    stamps = []
    for root in python_roots():
        for site in Path(root).glob("lib/python3*/site-packages"):
            stamps.append((str(site), site.stat().st_mtime_ns))
    for folder in ("inside", "policy", "policy/guards"):
        for path in sorted((PACKAGE_ROOT / "sandbox" / folder).glob("*.py")):
            stamps.append((str(path), path.stat().st_mtime_ns))
    return tuple(stamps)


_TEMPLATES: dict[type, Template] = {}
_TEMPLATES_LOCK = threading.Lock()


def template_for(box: ForkedBox) -> Template:
    """This process's template for boxes of `box`'s kind: one serves every configuration, since the
    limits, policy and uid are each session's own, applied in the forked child."""
    key = type(box)
    with _TEMPLATES_LOCK:
        if key not in _TEMPLATES:
            _TEMPLATES[key] = Template(box)
        return _TEMPLATES[key]


def close_templates() -> None:
    """Stop every template of this process (before it is killed without an exit)."""
    with _TEMPLATES_LOCK:
        templates = list(_TEMPLATES.values())
    for template in templates:
        template.close()
