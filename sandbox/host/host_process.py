"""What every session of this host process shares, and how its boxes outlive it by seconds at most.

Deliberately process-wide: the uids handed out (two live sessions of one process must never share a
uid, whichever Session, WarmPool, Template or Agent made them), the one folder that holds every session
folder, and the lifeline. The lifeline is a pipe whose write end only this process holds (it is
close-on-exec, so no program this process starts inherits it): its read end sees end-of-file the moment
the process is gone, however it died, SIGKILL included. Every bubblewrap box and template holds a read
end and ends itself on EOF (sandbox.inside.lifeline); a watchdog, started in a session of its own so a
signal to this process's group does not reach it, holds one too and then removes what no box can remove
itself: docker containers, cgroups and the session folders (sandbox.host.watchdog).
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from sandbox.boxes import cgroups
from sandbox.boxes.base import PACKAGE_ROOT

#: Sessions run as uids from this range, one per session, so per-uid limits (RLIMIT_NPROC) are the
#: session's own and sessions cannot signal each other.
UID_BASE, UID_SPAN = 61000, 4000


class HostProcess:
    """This process's uids, session folder root and lifeline (see the module docstring)."""

    def __init__(self) -> None:
        self._uids = itertools.count((os.getpid() * 97) % UID_SPAN)
        #: in the name of everything this process makes (session ids, so cgroups and containers, and
        #: the root folder), so the watchdog removes exactly what is this process's
        self.token = secrets.token_hex(4)
        self._root: Path | None = None
        self._lifeline: int | None = None
        self._lock = threading.Lock()

    def next_uid(self) -> int:
        with self._lock:
            return UID_BASE + next(self._uids) % UID_SPAN

    def new_id(self) -> str:
        """A fresh session id, marked as this process's."""
        return f"{self.token}-{secrets.token_hex(4)}"

    def root(self) -> Path:
        """This process's folder for session folders (connection files, sockets, work folders)."""
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix=f"codecall-{self.token}-"))
                self._root.chmod(0o711)
                atexit.register(shutil.rmtree, self._root, ignore_errors=True)
                self._lifeline = _start_watchdog(self.token, self._root)
            return self._root

    def remove_root(self) -> None:
        """Remove the folder of session folders now (for a process about to be killed without an exit)."""
        with self._lock:
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)

    def lifeline(self) -> int:
        """The read end of the lifeline, for a box to inherit (it sees EOF when this process is gone)."""
        self.root()
        assert self._lifeline is not None
        return self._lifeline


def _start_watchdog(token: str, root: Path) -> int:
    """Start the watchdog on a new lifeline; return the lifeline's read end (the write end is kept open
    for the life of this process, on purpose never closed)."""
    read_end, write_end = os.pipe()  # both close-on-exec: only what is passed explicitly inherits one
    _KEPT.append(write_end)
    plan = {"token": token, "root": str(root), "cgroup_parents": [str(p) for p in cgroups.parents()]}
    bootstrap = f"import sys; sys.path.insert(0, {str(PACKAGE_ROOT)!r}); from sandbox.host.watchdog import main; main()"
    subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-I", "-S", "-c", bootstrap, json.dumps(plan)],
        stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    return read_end


#: The lifeline's write ends: referenced for the life of the process, never closed.
_KEPT: list[int] = []

#: The one HostProcess of this process.
HOST_PROCESS = HostProcess()
