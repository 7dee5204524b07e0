"""The kernel every session runs: ipykernel's IPKernelApp, configured in code for the box, with the
codecall runtime in its namespace. Its classes are built on first use and kept (`app_class`), so a
template builds them once rather than each session; importing this module loads nothing of ipykernel."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def app_class() -> Any:
    """The kernel application class for the box (and ipykernel's IOPub thread made local-only)."""
    from ipykernel import debugger, kernelapp
    from ipykernel.iostream import IOPubThread

    class LocalIOPubThread(IOPubThread):
        """ipykernel listens on a 127.0.0.1 TCP port for forked subprocesses' output; the box has no
        internet sockets (seccomp), so that pipe stays off."""

        def __init__(self, socket, pipe: bool = False, session=None) -> None:
            super().__init__(socket, pipe=False, session=session)

    class BoxKernelApp(kernelapp.IPKernelApp):
        """Configured in code, so nothing outside it configures a session's kernel: no command line to
        parse (building its parser costs tens of ms) and no config files read (none is in the box; one
        written to the work folder is the code's own, not the kernel's)."""

        def parse_command_line(self, argv: list[str] | None = None) -> None:
            return None

        def load_config_file(self, *args: Any, **kwargs: Any) -> None:
            return None

        def init_heartbeat(self) -> None:
            """None: the host watches the kernel's process (or its keeper's connection), not heartbeats,
            and a heartbeat is a thread and a zmq context more in every session."""

    # monkeypatches, and fine here: this process is the box's own kernel (or its template) and nothing else.
    # The debugger talks TCP to its adapter, which the box has no sockets for; set up, it costs every kernel.
    kernelapp.IOPubThread = LocalIOPubThread
    debugger._is_debugpy_available = False
    return BoxKernelApp


def start(args: dict) -> None:
    """Become the session's kernel on `args["connection_file"]`; returns when the kernel stops."""
    from traitlets.config import Config

    from sandbox.inside.runtime import Runtime

    config = Config()
    config.HistoryManager.enabled = False
    app = app_class().instance(config=config, connection_file=args["connection_file"])
    app.initialize([])
    runtime = Runtime(args["policy"], bridge_path=args.get("bridge"), work_dir=args["work_dir"])
    app.shell.user_ns["_codecall_"] = runtime
    app.start()
