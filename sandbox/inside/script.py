"""In a script session (sandbox.inside.forked_session): run the one script of its request as the kernel's
runtime runs a cell (the same compile under the policy, the same namespace, the same result), then exit.
No kernel: a script needs no Jupyter protocol, and an ipykernel's set-up was most of a session's start.

The host passes three pipes. The script's stdout and stderr are the first two, as descriptors 1 and 2
(so what a library or a child process writes there is caught too, as the kernel's output capture
catches it). On the third the session writes b"s" once the script starts (the host's time limit counts
from there), then its result: the runtime's result object as JSON, with `timed_out` and the displays
the script made. The time limit is the session's own interval timer, which interrupts the script as the
kernel's interrupt does (KeyboardInterrupt); the host kills a session that has not ended by the time
limit and the grace after it.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from sandbox.inside.runtime import Runtime


class ScriptRuntime(Runtime):
    """The kernel's runtime, keeping its one result instead of publishing it on the protocol."""

    def __init__(self, policy: dict, work_dir: str) -> None:
        super().__init__(policy, bridge_path=None, work_dir=work_dir)  # no tools: `codecall run` gives none
        self.result: dict | None = None

    def _publish(self, result: dict) -> None:
        self.result = result


def run(request: dict, pipes: list[int], before_running: Callable[[], None]) -> None:
    """Run `request["code"]` once `before_running` returns (the host's go), report, and exit."""
    out, err, result_pipe = pipes
    runtime = ScriptRuntime(request["boot"]["policy"], request["boot"]["work_dir"])
    displays = _collect_displays()
    before_running()
    for stream, pipe in ((sys.stdout, out), (sys.stderr, err)):
        stream.flush()
        os.dup2(pipe, stream.fileno())
        os.close(pipe)
        stream.reconfigure(line_buffering=True)  # the box speaks UTF-8 (LANG=C.UTF-8)
    interrupted: list[bool] = []
    signal.signal(signal.SIGALRM, lambda *_: _interrupt(interrupted))
    os.write(result_pipe, b"s")
    if request.get("timeout"):
        signal.setitimer(signal.ITIMER_REAL, request["timeout"])
    try:
        runtime.run(request["code"])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    sys.stdout.flush()
    sys.stderr.flush()
    result = {**(runtime.result or {}), "timed_out": bool(interrupted), "displays": displays}
    payload = memoryview(json.dumps(result, default=_bytes_as_base64).encode())
    while payload:
        payload = payload[os.write(result_pipe, payload) :]
    os._exit(0)


def _interrupt(interrupted: list[bool]) -> None:
    interrupted.append(True)
    raise KeyboardInterrupt


def _collect_displays() -> list[dict]:
    """What the script displays (a rich last value, a figure it drew) is kept here, as the kernel would
    have sent it: the template's IPython shell is there, with a publisher that only keeps the data."""
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    kept: list[dict] = []

    class Keeper(DisplayPublisher):
        def publish(self, data: dict, metadata: Any = None, *args: Any, **kwargs: Any) -> None:
            kept.append(data)

    if InteractiveShell.initialized():
        shell = InteractiveShell.instance()
        shell.display_pub = Keeper(shell=shell)
    return kept


def _bytes_as_base64(value: Any) -> str:
    """Display data as jupyter_client would send it: bytes (a PNG) as base64 text, anything else as repr."""
    return base64.b64encode(value).decode() if isinstance(value, bytes) else repr(value)
