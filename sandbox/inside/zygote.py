"""In the box: a template that has imported the kernel machinery and the heavy libraries once, and forks
a fresh session for each request, as isolated as a session started cold.

The template keeps `SPARES` sessions of each kind forked ahead, each in new pid, mount, ipc and network
namespaces (pid 1 of its own pid namespace): a kernel spare makes its kernel application and then waits for
a request, having done nothing else; a script spare only waits. Protocol, one unix-socket connection per
session (the host connects to the socket of the kind it wants, `sockets[kind]`): the host sends one JSON
line (the session's boot arguments and paths, and a script session's code) with the session's log file as an
SCM_RIGHTS descriptor (and a script session's stdout, stderr and result pipes). The template passes them on
to a spare, sends b"hello" with the session's pid in SCM_CREDENTIALS (the host reads its host pid from
SO_PASSCRED and moves it into the session's cgroups), forks the next spare, and passes on the host's b"go"
when it comes. Meanwhile the session makes its own view of the file system, applies rlimits, drops to the
session uid, installs seccomp, closes every descriptor it does not need and sets up an ipykernel on the
host's connection file (or readies its script: sandbox.inside.forked_session); it serves no request, or runs
no script, before the go, so none of the session's code runs outside its cgroups. The template reports a
session's exit status as b"exit N"; when the host closes the connection (or sends anything but the go) it
kills the session, which takes its whole pid namespace along. It does all this in one select loop, so it
never has a thread when it forks.

How each property of a cold session is kept is in sandbox/README.md (forked sessions).
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import struct
import sys
from dataclasses import dataclass, field

from sandbox.inside import kernel_app, lifeline
from sandbox.inside.forked_session import KINDS, become_session
from sandbox.inside.view import check, libc

#: What the template imports before it forks anything (modules that start threads must not be here).
#: Not matplotlib.pyplot or the inline backend: imported with no IPython shell running, they would not
#: hook into the session's shell. The font manager is, so no session rebuilds the font cache.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "ipykernel.zmqshell", "ipykernel.iostream",
    "IPython", "IPython.core.debugger", "IPython.extensions.storemagic", "zmq", "traitlets.config",
    "tornado.platform.asyncio", "faulthandler", "pyseccomp", "numpy", "pandas", "matplotlib",
    "matplotlib.font_manager", "matplotlib.figure", "matplotlib.backends.backend_agg", "sandbox.inside.runtime",
    "sandbox.policy.guards", "sandbox.policy.restrict", "sandbox.inside.seccomp", "sandbox.inside.script",
)  # fmt: skip

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x08000000, 0x40000000, 0x20000000


#: The namespaces a session gets of its own, and their clone flags.
NAMESPACES = {"mnt": CLONE_NEWNS, "ipc": CLONE_NEWIPC, "net": CLONE_NEWNET, "pid": CLONE_NEWPID}
#: Sessions of a kind the template keeps forked ahead of requests, once that kind has been asked for
#: (kernel sessions from the start).
SPARES = 2


def main(argument: str) -> None:
    args = json.loads(argument)
    for name in PRELOAD:
        __import__(name)
    warm_up()
    from sandbox.inside import seccomp

    args["seccomp_filter"] = seccomp.build()
    gc.freeze()  # what the template made stays out of every collection: a session's GC copies none of it
    sys.argv = [sys.argv[0]]
    servers = {}
    for kind in KINDS:  # a session's kind is the socket the host connects to: known before its request
        servers[kind] = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        servers[kind].bind(args["sockets"][kind])
        servers[kind].listen(64)
    own = {kind: os.open(f"/proc/self/ns/{kind}", os.O_RDONLY) for kind in NAMESPACES}
    print("codecall template: ready", flush=True)
    Loop(servers, args, own).run()


def warm_up() -> None:
    """Build the kernel application's classes and the kernel's IPython shell (kept: each session's kernel
    takes it over, see kernel_app.build_shell): what they import and compile, and the shell itself, then
    stay in the template's memory instead of being built by each session. It makes no threads or sockets."""
    kernel_app.app_class()
    kernel_app.build_shell()


@dataclass(eq=False)
class Kept:
    """One session the template forked, and the host connection it was handed to (None while spare)."""

    pid: int
    pidfd: int
    kind: str  #: "kernel" or "script" (sandbox.inside.forked_session)
    to_session: socket.socket | None  #: its request, then the go, pass through here
    connection: socket.socket | None = None
    stage: str = "spare"  #: spare -> request -> go -> running
    request: bytes = b""
    fds: list[int] = field(default_factory=list)
    listening: bool = True  #: whether the connection is still watched (not after EOF or a kill)


class Loop:
    """The template's one loop: it forks spares, hands them to connections and keeps them (see the module
    docstring); single-threaded, so every fork is of a process with one thread."""

    def __init__(self, servers: dict[str, socket.socket], args: dict, own: dict[str, int]) -> None:
        self.servers, self.args, self.own = servers, args, own
        self.spares: list[Kept] = []
        self.wanted = {kind: SPARES if kind == "kernel" else 0 for kind in KINDS}  #: spares kept, by kind
        self.by_fd: dict[int, Kept] = {}  #: by pidfd, and by connection while it is watched
        self.failure: OSError | None = None  #: why no spare could be forked (told to the next connection)

    def run(self) -> None:
        lifeline_fd = self.args["lifeline"]
        by_server = {server.fileno(): kind for kind, server in self.servers.items()}
        while True:
            readable, _, _ = select.select([lifeline_fd, *by_server, *self.by_fd], [], [], 0)
            if not readable:  # spares are forked when nothing waits: a request is never held up by one
                for kind, wanted in self.wanted.items():
                    while self._spares(kind) < wanted and self.failure is None:
                        self._fork_spare(kind)
                readable, _, _ = select.select([lifeline_fd, *by_server, *self.by_fd], [], [])
            if lifeline_fd in readable:
                lifeline.end_all()
            for fd in readable:
                if fd in by_server:
                    self._accept(by_server[fd])
                elif fd in self.by_fd:
                    self._event(self.by_fd[fd], fd)

    def _spares(self, kind: str) -> int:
        return sum(spare.kind == kind for spare in self.spares)

    def _fork_spare(self, kind: str) -> None:
        """Fork a session into new namespaces; the template itself goes back to its own at once."""
        try:
            check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID), "unshare")
            try:
                to_session, to_template = socket.socketpair()
                pid = os.fork()
                if pid == 0:
                    become_session(to_template, self.args, kind)  # never returns
            finally:
                for namespace, fd in self.own.items():
                    check(libc.setns(fd, NAMESPACES[namespace]), f"setns {namespace}")
        except OSError as error:
            self.failure = error
            return
        to_template.close()
        spare = Kept(pid, os.pidfd_open(pid), kind, to_session)
        self.spares.append(spare)
        self.by_fd[spare.pidfd] = spare

    def _accept(self, kind: str) -> None:
        connection, _ = self.servers[kind].accept()
        self.failure = None  # try again for this one
        self.wanted[kind] = SPARES
        if not self._spares(kind):
            self._fork_spare(kind)
        if not self._spares(kind):
            _tell(connection, f"error OSError: {self.failure}")
            connection.close()
            return
        kept = next(spare for spare in self.spares if spare.kind == kind)
        self.spares.remove(kept)
        kept.connection, kept.stage = connection, "request"
        self.by_fd[connection.fileno()] = kept

    def _event(self, kept: Kept, fd: int) -> None:
        try:
            if fd == kept.pidfd:
                self._ended(kept)
            elif kept.stage == "request":
                self._request(kept)
            else:
                self._word(kept)
        except OSError as error:
            if kept.connection is not None:
                _tell(kept.connection, f"error {type(error).__name__}: {error}")
            self._kill(kept)

    def _request(self, kept: Kept) -> None:
        """Read the host's request; once whole, pass it on to the session and say hello with its pid."""
        chunk, fds, _, _ = socket.recv_fds(kept.connection, 1 << 20, 4)
        kept.fds += fds
        if not chunk:
            self._kill(kept)
            return
        kept.request += chunk
        if not kept.request.endswith(b"\n"):
            return
        sent = socket.send_fds(kept.to_session, [kept.request], kept.fds)
        kept.to_session.sendall(kept.request[sent:])
        for descriptor in kept.fds:
            os.close(descriptor)
        kept.fds, kept.stage = [], "go"
        credentials = struct.pack("3i", kept.pid, os.getuid(), os.getgid())  # not its own pid: root may
        kept.connection.sendmsg([b"hello"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])

    def _word(self, kept: Kept) -> None:
        """The host's go (passed on), or any other word or EOF: kill the session."""
        word = kept.connection.recv(64)
        if kept.stage == "go" and word.startswith(b"go"):
            kept.to_session.sendall(b"go")
            kept.to_session.close()
            kept.to_session, kept.stage, word = None, "running", word[2:]
            if word:
                self._kill(kept)
            return
        self._kill(kept)

    def _kill(self, kept: Kept) -> None:
        """Kill the session (its pid namespace goes with it) and stop listening to the host."""
        try:
            signal.pidfd_send_signal(kept.pidfd, signal.SIGKILL)
        except OSError:
            pass  # already gone
        if kept.listening and kept.connection is not None:
            kept.listening = False
            self.by_fd.pop(kept.connection.fileno(), None)

    def _ended(self, kept: Kept) -> None:
        """The session is gone: reap it, report its exit status, and forget it."""
        _, status = os.waitpid(kept.pid, 0)
        self.by_fd.pop(kept.pidfd, None)
        os.close(kept.pidfd)
        if kept in self.spares:  # a spare that died before any request: fork no more until a connection
            self.spares.remove(kept)
            self.failure = OSError(f"a spare session ended before its request (exit {status})")
        if kept.to_session is not None:
            kept.to_session.close()
        for descriptor in kept.fds:
            os.close(descriptor)
        if kept.connection is not None:
            if kept.listening:
                self.by_fd.pop(kept.connection.fileno(), None)
            _tell(kept.connection, f"exit {os.waitstatus_to_exitcode(status)}")
            kept.connection.close()


def _tell(connection: socket.socket, line: str) -> None:
    try:
        connection.sendall(line.encode() + b"\n")
    except OSError:
        pass  # the host is gone: nobody to tell
