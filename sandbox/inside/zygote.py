"""In the box: a template that has imported the kernel machinery and the heavy libraries once, and forks
a fresh session for each request, as isolated as a session started cold.

Protocol, one unix-socket connection per session (the host connects to `socket`): the host sends one JSON
line (`Request` below) with the session's log file as an SCM_RIGHTS descriptor. The template forks a
*keeper*, which enters new pid, mount, ipc and network namespaces and forks the *session*, pid 1 of the
new pid namespace. The session sends b"hello" (the host reads its host pid from SO_PASSCRED and moves
it into the session's cgroups) and waits until the keeper passes on the host's b"go"; then it makes its
own view of the file system, applies rlimits, drops to the session uid, installs seccomp, closes every
descriptor it does not need and becomes an ipykernel on the host's connection file. The keeper stays
outside, waits for the session and reports its exit status as b"exit N"; when the host closes the
connection (or sends anything) the keeper kills the session, which takes its whole pid namespace along.

How each property of a cold session is kept is in sandbox/README.md (forked sessions).
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import select
import signal
import socket
import struct
import sys

from sandbox.inside import boot, kernel_app, lifeline

#: What the template imports before it forks anything (modules that start threads must not be here).
#: Not matplotlib.pyplot or the inline backend: imported with no IPython shell running, they would not
#: hook into the session's shell. The font manager is, so no session rebuilds the font cache.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "ipykernel.zmqshell", "ipykernel.iostream",
    "IPython", "IPython.core.debugger", "IPython.extensions.storemagic", "zmq", "traitlets.config",
    "tornado.platform.asyncio", "faulthandler", "pyseccomp", "numpy", "pandas", "matplotlib",
    "matplotlib.font_manager", "matplotlib.figure", "matplotlib.backends.backend_agg", "sandbox.inside.runtime",
    "sandbox.policy.guards", "sandbox.policy.restrict", "sandbox.inside.seccomp",
)  # fmt: skip

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x08000000, 0x40000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def mount(source: str | None, target: str, kind: str | None, flags: int = 0, data: str | None = None) -> None:
    encode = (lambda v: None if v is None else v.encode())  # noqa: E731
    _check(_libc.mount(encode(source), encode(target), encode(kind), flags, encode(data)), f"mount {target}")


def main(argument: str) -> None:
    args = json.loads(argument)
    for name in PRELOAD:
        __import__(name)
    warm_up()
    from sandbox.inside import seccomp

    args["seccomp_filter"] = seccomp.build()
    gc.freeze()  # what the template made stays out of every collection: a session's GC copies none of it
    sys.argv = [sys.argv[0]]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped by the kernel, not waited for
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(args["socket"])
    server.listen(64)
    print("codecall template: ready", flush=True)
    while True:
        # the lifeline is watched here by select, not a thread: the template must fork single-threaded
        readable, _, _ = select.select([server, args["lifeline"]], [], [])
        if args["lifeline"] in readable:
            lifeline.end_all()
        connection, _ = server.accept()
        if os.fork() == 0:
            server.detach()
            keep(connection, args)  # never returns
        connection.close()


def warm_up() -> None:
    """Build one IPython shell and throw it away: what a shell imports and the regular expressions it
    compiles then stay in the template's memory, and each session's own shell is built from them
    (about half of what a kernel's start would cost); and build the kernel application's classes. It
    makes no threads, sockets or files."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    InteractiveShell.instance(config=config)
    InteractiveShell.clear_instance()
    kernel_app.app_class()


def keep(connection: socket.socket, args: dict) -> None:
    """The keeper: start the session in its own namespaces, then wait for whichever ends first."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        request, fds = _receive(connection)
        _check(_libc.unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET), "unshare")
        go_read, go_write = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(go_write)
            become_session(connection, request, fds[0], args, go_read)  # never returns
        for fd in fds + [go_read]:
            os.close(fd)
        if connection.recv(2) != b"go":
            raise ConnectionError("the host did not place the session in its cgroups")
        os.write(go_write, b"go")
        os.close(go_write)
        pidfd = os.pidfd_open(child)
        readable, _, _ = select.select([connection, pidfd], [], [])
        if connection in readable:
            os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
        connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
    except BaseException as error:  # noqa: BLE001 - the keeper reports, then goes: never back to the loop
        try:
            connection.sendall(f"error {type(error).__name__}: {error}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(0)


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    data, fds = b"", []
    while not data.endswith(b"\n"):
        chunk, new_fds, _, _ = socket.recv_fds(connection, 1 << 20, 4)
        if not chunk:
            raise ConnectionError("the host closed the connection before its request")
        data, fds = data + chunk, fds + new_fds
    return json.loads(data), fds


def become_session(connection: socket.socket, request: dict, log_fd: int, args: dict, go: int) -> None:
    """The session, pid 1 of its pid namespace: harden, then become the kernel. On any failure it exits,
    which the keeper reports. It goes on only when the keeper passes on the host's b"go" (through `go`):
    the host has then moved it into its cgroups."""
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    try:
        credentials = struct.pack("3i", os.getpid(), os.getuid(), os.getgid())
        connection.sendmsg([b"hello"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])
        connection.detach()
        if os.read(go, 2) != b"go":
            raise ConnectionError("the host did not place the session in its cgroups")
        private_view(request)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        _close_all_but({0, 1, 2, args["lifeline"]})
        boot.harden(request["boot"], args["seccomp_filter"])
        _reseed()
        lifeline.watch(args["lifeline"])
        os.chdir(request["boot"]["work_dir"])
        boot.start_kernel(request["boot"])
    except BaseException as error:  # noqa: BLE001 - told to the log, then the session ends
        print(f"codecall session: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
    os._exit(70)


def private_view(request: dict) -> None:
    """This session's own /proc, /tmp, /dev/shm, work folder and session folder, and no other session's:
    the folder that holds every session folder is covered by an empty tmpfs (the new /tmp, when it is
    below /tmp), then only this session's is bound back, at the same path."""
    work = os.open(request["work_dir"], os.O_PATH)
    run = os.open(request["session_dir"], os.O_PATH)
    kept = {root: os.open(root, os.O_PATH) for root in _python_roots_below("/tmp")}
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={request['disk']},mode=1777")
    for root, handle in kept.items():  # a virtual environment in a checkout below /tmp stays in view, read-only
        os.makedirs(root, mode=0o755, exist_ok=True)
        mount(f"/proc/self/fd/{handle}", root, None, MS_BIND | MS_REC)
        mount(None, root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(handle)
    if os.path.isdir("/dev/shm"):
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=1777")
    if os.path.isdir(request["sessions_root"]):  # not already covered by the new /tmp
        mount("tmpfs", request["sessions_root"], "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0711")
    os.makedirs(request["session_dir"], mode=0o711)
    mount(f"/proc/self/fd/{run}", request["session_dir"], None, MS_BIND)
    mount(f"/proc/self/fd/{work}", request["boot"]["work_dir"], None, MS_BIND)
    os.close(work)
    os.close(run)


def _python_roots_below(folder: str) -> list[str]:
    """The running Python's folders (its environment, the installation it is based on: what the box binds
    for it) that lie below `folder`, outermost first."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    roots.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    below = sorted(r for r in roots if r.startswith(folder.rstrip("/") + "/"))
    return [r for r in below if not any(r.startswith(o + "/") for o in below if o != r)]


def _close_all_but(keep: set[int]) -> None:
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass  # the listing's own descriptor, already gone


def _reseed() -> None:
    """Fresh random state: a fork copies the template's, and sibling sessions must not share it."""
    import numpy

    numpy.random.seed()
