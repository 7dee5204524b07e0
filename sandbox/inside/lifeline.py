"""In the box: end every process of the session when the host is gone.

The host passes the read end of its lifeline (sandbox.host.host_process); nothing is ever written to it,
so a read returns only at end-of-file, when the host process is gone however it died. A daemon thread
waits for that and then kills every process this one may signal in its pid namespace (the session's own)
and exits: a box outlives its host by the time the kernel takes to deliver EOF, no more.
"""

from __future__ import annotations

import os
import signal
import threading


def watch(fd: int) -> None:
    """Start the thread that ends this process (and its namespace's others) on EOF of `fd`."""
    threading.Thread(target=_wait_and_end, args=(fd,), name="codecall-lifeline", daemon=True).start()


def _wait_and_end(fd: int) -> None:
    while True:
        try:
            if not os.read(fd, 4096):
                break
        except InterruptedError:
            continue
        except OSError:  # closed or broken: the lifeline can no longer tell, so end as if it broke
            break
    end_all()


def end_all() -> None:
    """Kill every process this one may signal (in a box: its session's) and exit at once."""
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    os._exit(137)
