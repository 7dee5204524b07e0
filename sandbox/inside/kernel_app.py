"""The kernel every session runs: ipykernel's IPKernelApp, configured in code for the box, with the
codecall runtime in its namespace. Its classes are built on first use and kept (`app_class`), so a
template builds them once rather than each session, and a template builds the kernel's shell too
(`build_shell`); importing this module loads nothing of ipykernel."""

from __future__ import annotations

import functools
from collections.abc import Callable
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

        def _run_startup_files(self) -> None:
            """None, for the same reason: a startup file (in the environment's etc/ipython, say) is not the
            kernel's; and a session's own profile folder, in its fresh /tmp, has none."""

        def init_kernel(self) -> None:
            """The kernel, on the shell the template built (`build_shell`) where there is one: it is the
            singleton the kernel asks for, so only what ties it to this kernel is set here."""
            super().init_kernel()
            self.kernel.shell.kernel = self.kernel
            self.kernel.shell.profile_dir = self.profile_dir

        def init_control(self, context: Any) -> None:
            """The control channel, and no subshells: the host never asks for one, and the shell channel's
            thread that serves them (every shell message would pass through it) is one thread more in
            every session."""
            super().init_control(context)
            self.shell_channel_thread = None

        def init_heartbeat(self) -> None:
            """None: the host watches the kernel's process (or its connection to the template), not heartbeats,
            and a heartbeat is a thread and a zmq context more in every session."""

    # monkeypatches, and fine here: this process is the box's own kernel (or its template) and nothing else.
    # The debugger talks TCP to its adapter, which the box has no sockets for; set up, it costs every kernel.
    kernelapp.IOPubThread = LocalIOPubThread
    debugger._is_debugpy_available = False
    return BoxKernelApp


def _config() -> Any:
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    return config


def build_shell() -> None:
    """Build the kernel's IPython shell ahead, for the sessions a template forks: about a third of a
    kernel's start (magics, hooks, namespaces, display machinery). It makes no threads, sockets or files
    outside the template's own /tmp; what ties it to a session's kernel is set in `init_kernel`."""
    from ipykernel.compiler import XCachingCompiler  # the kernel's compiler_class
    from ipykernel.zmqshell import ZMQInteractiveShell  # the kernel's shell_class

    ZMQInteractiveShell.instance(config=_config(), compiler_class=XCachingCompiler)


def prepare() -> Any:
    """The kernel application, made (once) before it knows its session: a forked session makes it while
    it waits for its request."""
    return app_class().instance(config=_config())


def start(args: dict, before_serving: Callable[[], None] | None = None) -> None:
    """Become the session's kernel on `args["connection_file"]`; returns when the kernel stops.
    `before_serving` is called once the kernel is set up, before it serves its first request."""
    from sandbox.inside.runtime import Runtime

    app = prepare()
    app.connection_file = args["connection_file"]
    app.initialize([])
    runtime = Runtime(args["policy"], bridge_path=args.get("bridge"), work_dir=args["work_dir"])
    app.shell.user_ns["_codecall_"] = runtime
    if before_serving is not None:
        before_serving()
    app.start()
