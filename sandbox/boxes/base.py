"""A box: where and how a sandboxed kernel runs. Backends differ in launch and limits, nothing else.

Both boxes start the same in-box entry point (`sandbox.inside.boot`) with the same boot arguments; it applies
rlimits, seccomp and the uid drop, then runs an IPython kernel that speaks the Jupyter protocol over ipc
sockets in the session folder (bound into the box at the same path, so no network is ever needed).
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from sandbox.limits import Limits

#: The folder that holds the `sandbox` package on the host.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
#: Where every box shows that folder's in-box parts; boot_argv puts it first on sys.path.
PACKAGE_ROOT_IN_BOX = "/opt/codecall"
#: The parts of the `sandbox` package a box mounts (read-only): only what runs inside it. Inside, `sandbox`
#: is a namespace package that holds these alone: the host side (host/, boxes/, the lazy public API in
#: __init__.py, execution.py, limits.py) is not there to be imported or read.
IN_BOX_PARTS = ("errors.py", "policy", "inside")


def in_box_mounts() -> list[tuple[str, str]]:
    """(host path, path in the box) of each part of the package a box mounts read-only."""
    return [(str(PACKAGE_ROOT / "sandbox" / part), f"{PACKAGE_ROOT_IN_BOX}/sandbox/{part}") for part in IN_BOX_PARTS]


#: Where user code sees its work folder, in every box.
WORK_DIR_IN_BOX = "/workspace"


@dataclass(frozen=True)
class BoxSpec:
    """Everything a box needs to start one session's kernel."""

    session_id: str
    session_dir: Path  #: connection file, ipc sockets and the tool bridge socket; same path inside
    work_dir: Path  #: the only writable folder the code sees besides /tmp (at WORK_DIR_IN_BOX)
    uid: int  #: the unprivileged uid the code runs as
    boot: dict  #: the boot arguments (see sandbox.inside.boot)

    @property
    def connection_file(self) -> Path:
        return self.session_dir / "kernel.json"

    def boot_argv(self, python: str, package_root: str) -> list[str]:
        """The command that starts sandbox.inside.boot inside the box with `python`."""
        return in_box_argv(python, package_root, "sandbox.inside.boot", self.boot)


def in_box_argv(python: str, package_root: str, module: str, argument: dict) -> list[str]:
    """The command that runs `module`.main(argument as JSON) inside a box, isolated from the environment."""
    bootstrap = f"import sys; sys.path.insert(0, {package_root!r}); from {module} import main; main(sys.argv[1])"
    return [python, "-I", "-c", bootstrap, json.dumps(argument)]


class Box(ABC):
    """One kind of isolation. A subclass fills in these methods and nothing else."""

    #: the backend's name, as given to `--backend`
    name: str = ""
    #: whether the box's processes inherit the host's lifeline (sandbox.host.host_process): a box
    #: that does ends itself when the host is gone; one that does not is removed by the watchdog
    inherits_lifeline: bool = False
    #: whether sessions are forked from a template (sandbox.host.template) rather than started cold
    forks: bool = False

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._notices: list[str] = []

    @classmethod
    @abstractmethod
    def unavailable(cls) -> str | None:
        """None when this box can run here, else a message that says what is missing."""

    @abstractmethod
    def command(self, spec: BoxSpec) -> list[str]:
        """argv that starts the session's kernel inside the box (run by jupyter_client)."""

    def oom_killed(self, spec: BoxSpec) -> bool:
        """True when the session's memory limit killed its kernel."""
        return False

    def cleanup(self, spec: BoxSpec) -> None:
        """Remove what the box left behind for this session (cgroups, containers)."""
        return None

    @property
    def notices(self) -> list[str]:
        """One-line notices about limits this host could not apply (e.g. no writable cgroups)."""
        return list(self._notices)

    def add_notice(self, notice: str) -> None:
        """Record a notice (once) and log it: one line, once per box."""
        if notice not in self._notices:
            self._notices.append(notice)
            logging.getLogger("sandbox").warning("sandbox: %s", notice)
