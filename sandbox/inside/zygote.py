"""In the box: a template that has imported the kernel machinery and the heavy libraries once, and forks
a fresh session for each request, as isolated as a session started cold.

The template keeps `SPARES` *keepers* forked ahead: each has entered new pid, mount, ipc and network
namespaces and forked its *session* (pid 1 of the new pid namespace), which makes its kernel application
and then waits for a request; the keeper waits to accept one connection on `socket`. Protocol, one
unix-socket connection per session: the host sends one JSON line (the session's boot arguments and paths)
with the session's log file as an SCM_RIGHTS descriptor. The keeper passes both on to its session, sends
b"hello" with the session's pid in SCM_CREDENTIALS (the host reads its host pid from SO_PASSCRED and moves
it into the session's cgroups) and tells the template to fork the next spare; it passes on the host's
b"go" when it comes. Meanwhile the session makes its own view of the file system, applies rlimits, drops
to the session uid, installs seccomp, closes every descriptor it does not need and sets up an ipykernel on
the host's connection file; it serves no request before the go, so none of the session's code runs
outside its cgroups. The keeper stays outside, waits for the session and reports its exit status as
b"exit N"; when the host closes the connection (or sends anything) the keeper kills the session, which
takes its whole pid namespace along.

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


#: Keepers (each with its session forked and waiting) the template keeps ready ahead of requests.
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
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped by the kernel, not waited for
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(args["socket"])
    server.listen(64)
    spares: set[int] = set()  #: the read end of each spare keeper's pipe: EOF once it took a connection
    print("codecall template: ready", flush=True)
    while True:
        while len(spares) < SPARES:
            spares.add(_fork_spare(server, args, spares))
        # the lifeline is watched here by select, not a thread: the template must fork single-threaded
        readable, _, _ = select.select([args["lifeline"], *spares], [], [])
        if args["lifeline"] in readable:
            lifeline.end_all()
        for taken in readable:
            os.close(taken)
            spares.discard(taken)


def _fork_spare(server: socket.socket, args: dict, spares: set[int]) -> int:
    """Fork a spare keeper; returns the read end of a pipe that sees EOF when it has taken a connection
    (or died)."""
    taken_read, taken_write = os.pipe()
    if os.fork() == 0:
        for fd in spares | {taken_read}:
            os.close(fd)
        keep(server, taken_write, args)  # never returns
    os.close(taken_write)
    return taken_read


def warm_up() -> None:
    """Build the kernel application's classes and the kernel's IPython shell (kept: each session's kernel
    takes it over, see kernel_app.build_shell): what they import and compile, and the shell itself, then
    stay in the template's memory instead of being built by each session. It makes no threads or sockets."""
    kernel_app.app_class()
    kernel_app.build_shell()


def keep(server: socket.socket, taken: int, args: dict) -> None:
    """A keeper: fork the session in new namespaces, take one connection, pass its request on, then wait
    for whichever ends first. What fails before the connection is told on it, as what fails after."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        failure: OSError | None = None
        try:
            child, to_session = _fork_session(server, taken, args)
        except OSError as error:
            failure = error
        connection, _ = server.accept()
        server.close()
        try:
            if failure is not None:
                raise failure
            _serve(connection, child, to_session, taken)
        except BaseException as error:  # noqa: BLE001 - the keeper reports, then goes: never back to the loop
            connection.sendall(f"error {type(error).__name__}: {error}\n".encode())
    except OSError:
        pass  # the host is gone: nobody to tell
    finally:
        os._exit(0)


def _fork_session(server: socket.socket, taken: int, args: dict) -> tuple[int, socket.socket]:
    """Enter new pid, mount, ipc and network namespaces and fork the session into them (it waits for its
    request on the socket returned)."""
    _check(_libc.unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET), "unshare")
    to_session, to_keeper = socket.socketpair()
    child = os.fork()
    if child == 0:
        server.close()
        to_session.close()
        os.close(taken)
        become_session(to_keeper, args)  # never returns
    to_keeper.close()
    return child, to_session


def _serve(connection: socket.socket, child: int, to_session: socket.socket, taken: int) -> None:
    """Pass the host's request on to the session, say hello with its pid, pass on the host's go, then wait
    for the session's end or the host's word to kill it, and report the exit status. Only once the
    session has its request is the template told (`taken`) to fork the next spare: its fork does not
    compete with this one's hand-over."""
    request, fds = _receive(connection)
    sent = socket.send_fds(to_session, [request], fds)
    to_session.sendall(request[sent:])
    for fd in fds:
        os.close(fd)
    credentials = struct.pack("3i", child, os.getuid(), os.getgid())  # the pid is the session's: as root, allowed
    connection.sendmsg([b"hello"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])
    os.close(taken)
    if connection.recv(2) != b"go":
        raise ConnectionError("the host did not place the session in its cgroups")
    to_session.sendall(b"go")
    to_session.close()
    pidfd = os.pidfd_open(child)
    readable, _, _ = select.select([connection, pidfd], [], [])
    if connection in readable:
        os.kill(child, signal.SIGKILL)
    _, status = os.waitpid(child, 0)
    connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())


def _receive(connection: socket.socket) -> tuple[bytes, list[int]]:
    """One request line and the descriptors sent with it."""
    data, fds = b"", []
    while not data.endswith(b"\n"):
        chunk, new_fds, _, _ = socket.recv_fds(connection, 1 << 20, 4)
        if not chunk:
            raise ConnectionError("the connection closed before a request")
        data, fds = data + chunk, fds + new_fds
    return data, fds


def become_session(keeper: socket.socket, args: dict) -> None:
    """The session, pid 1 of its pid namespace: make what needs no request (its kernel application, its
    own random state), wait for the request (from `keeper`), harden, then become the kernel. On any
    failure it exits, which the keeper reports. Its kernel serves nothing before the keeper passes on
    the host's b"go": the host has then moved it into its cgroups."""
    _reseed()
    kernel_app.prepare()
    try:
        data, fds = _receive(keeper)
    except (OSError, ConnectionError):
        os._exit(0)  # a spare no request came for: the template is going
    request = json.loads(data)
    os.dup2(fds[0], 1)
    os.dup2(fds[0], 2)
    try:
        private_view(request)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        _close_all_but({0, 1, 2, args["lifeline"], keeper.fileno()})
        boot.harden(request["boot"], args["seccomp_filter"])
        lifeline.watch(args["lifeline"])
        os.chdir(request["boot"]["work_dir"])
        kernel_app.start(request["boot"], before_serving=lambda: _await_go(keeper))
    except BaseException as error:  # noqa: BLE001 - told to the log, then the session ends
        print(f"codecall session: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
    os._exit(70)


def _await_go(keeper: socket.socket) -> None:
    if keeper.recv(2) != b"go":
        raise ConnectionError("the host did not place the session in its cgroups")
    keeper.close()


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
