"""In the box: a session forked by the template (sandbox.inside.zygote), from the fork to its kernel or
its script. Two kinds: a *kernel* session becomes an ipykernel the host talks to over the Jupyter
protocol; a *script* session runs the one script its request carries (sandbox.inside.script) and exits.
Both are isolated the same way, by the same steps in the same order (see `become_session`)."""

from __future__ import annotations

import json
import os
import socket
import sys

from sandbox.inside import boot, kernel_app, lifeline
from sandbox.inside.view import private_view

#: The kinds of session a template forks: each has its own socket and its own spares.
KINDS = ("kernel", "script")


def become_session(template: socket.socket, args: dict, kind: str) -> None:
    """The session, pid 1 of its pid namespace: close what it inherited of the template's (its listening
    sockets, its connections to hosts, other sessions' channels), make what needs no request (a kernel
    session's kernel application, its own random state), wait for the request (from `template`), harden,
    then become the kernel or run the script. On any failure it exits, which the template reports. None of
    its request's code runs before the template passes on the host's b"go": the host has then moved it
    into its cgroups."""
    _close_all_but({0, 1, 2, args["lifeline"], template.fileno()})
    _reseed()
    if kind == "kernel":
        kernel_app.prepare()
    try:
        data, fds = _receive(template)
    except (OSError, ConnectionError):
        os._exit(0)  # a spare no request came for: the template is going
    request = json.loads(data)
    log, channels = fds[0], fds[1:]  # a script session's: its stdout, stderr and result pipes
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        private_view(request)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        _close_all_but({0, 1, 2, args["lifeline"], template.fileno(), *channels})
        boot.harden(request["boot"], args["seccomp_filter"])
        lifeline.watch(args["lifeline"])
        os.chdir(request["boot"]["work_dir"])
        if kind == "script":
            from sandbox.inside import script

            script.run(request, channels, before_running=lambda: _await_go(template))
        else:
            kernel_app.start(request["boot"], before_serving=lambda: _await_go(template))
    except BaseException as error:  # noqa: BLE001 - told to the log, then the session ends
        print(f"codecall session: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
    os._exit(70)


def _receive(connection: socket.socket) -> tuple[bytes, list[int]]:
    """One request line and the descriptors sent with it."""
    data, fds = b"", []
    while not data.endswith(b"\n"):
        chunk, new_fds, _, _ = socket.recv_fds(connection, 1 << 20, 4)
        if not chunk:
            raise ConnectionError("the connection closed before a request")
        data, fds = data + chunk, fds + new_fds
    return data, fds


def _await_go(template: socket.socket) -> None:
    if template.recv(2) != b"go":
        raise ConnectionError("the host did not place the session in its cgroups")
    template.close()


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
