"""Memory, pids and CPU limits through cgroups, v1 or v2, where the host lets us write them.

Each session gets its own group below the host process's own; the box's launcher joins it before it
starts anything, so every process of the session is counted. Where no hierarchy is writable, `create`
returns None and a one-line notice says that only rlimits apply.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.limits import Limits

ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000


@dataclass
class Cgroup:
    """One session's groups: the folders created and the files the launcher writes its pid to."""

    folders: list[Path] = field(default_factory=list)

    @property
    def procs_files(self) -> list[str]:
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def oom_killed(self) -> bool:
        """True when the memory limit killed a process of the session."""
        for folder in self.folders:
            for name, key in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
                path = folder / name
                if path.exists():
                    for line in path.read_text().splitlines():
                        parts = line.split()
                        if len(parts) == 2 and parts[0] == key and int(parts[1]) > 0:
                            return True
        return False

    def remove(self) -> None:
        for folder in self.folders:
            _kill_members(folder)
            try:
                folder.rmdir()
            except OSError:
                pass


def _kill_members(folder: Path) -> None:
    procs = folder / "cgroup.procs"
    try:
        pids = [int(p) for p in procs.read_text().split()]
    except OSError:
        return
    for pid in pids:
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def _own_path(controller: str) -> str | None:
    """This process's cgroup path in `controller`'s hierarchy ('' key for v2)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path
    return None


@functools.cache
def is_v2() -> bool:
    """Whether this host mounts cgroup v2 (asked once: a stat in /sys/fs/cgroup takes milliseconds)."""
    return (ROOT / "cgroup.controllers").exists()


def parents() -> list[Path]:
    """The folders `create` makes session groups in (one per controller on v1)."""
    if is_v2():
        return [ROOT / (_own_path("") or "/").lstrip("/")]
    found = []
    for controller in V1_SETTINGS:
        own = _own_path(controller)
        if own is not None:
            found.append(ROOT / controller / own.lstrip("/"))
    return found


def create(name: str, limits: Limits) -> tuple[Cgroup | None, str | None]:
    """Make the session's groups. Returns (cgroup or None, notice or None)."""
    try:
        group = _create_v2(name, limits) if is_v2() else _create_v1(name, limits)
    except OSError as error:
        notice = f"cgroups are not writable here ({error.strerror}); memory and processes are limited by rlimits only"
        return None, notice
    return group, None


#: The v1 controllers a session gets a group in.
V1_SETTINGS = ("memory", "pids", "cpu")


def _create_v1(name: str, limits: Limits) -> Cgroup:
    group = Cgroup()
    settings = {
        "memory": {"memory.limit_in_bytes": limits.memory, "memory.memsw.limit_in_bytes": limits.memory},
        "pids": {"pids.max": limits.processes},
        "cpu": {"cpu.cfs_period_us": CPU_PERIOD_US, "cpu.cfs_quota_us": int(limits.cpus * CPU_PERIOD_US)},
    }
    try:
        for controller, values in settings.items():
            own = _own_path(controller)
            if own is None:
                continue
            folder = ROOT / controller / own.lstrip("/") / f"codecall-{name}"
            folder.mkdir(exist_ok=True)
            group.folders.append(folder)
            for key, value in values.items():
                path = folder / key
                if path.exists():
                    path.write_text(str(value))
    except OSError:
        group.remove()
        raise
    return group


def _create_v2(name: str, limits: Limits) -> Cgroup:
    own = _own_path("") or "/"
    parent = ROOT / own.lstrip("/")
    folder = parent / f"codecall-{name}"
    folder.mkdir(exist_ok=True)
    group = Cgroup([folder])
    try:
        (folder / "memory.max").write_text(str(limits.memory))
        swap = folder / "memory.swap.max"
        if swap.exists():
            swap.write_text("0")
        (folder / "pids.max").write_text(str(limits.processes))
        (folder / "cpu.max").write_text(f"{int(limits.cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
    except OSError:
        group.remove()
        raise
    return group
