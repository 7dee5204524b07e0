"""The in-box entry point: harden this process, then become the session's IPython kernel.

Order matters: rlimits are set while still root (so hard limits can be lowered for good), then the
uid drop (which also clears every capability), then seccomp (which needs no_new_privs, set by the box),
then the kernel with the codecall runtime in its namespace.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any

#: boot-argument key -> rlimit
RLIMITS = {
    "memory": resource.RLIMIT_AS,
    "cpu_time": resource.RLIMIT_CPU,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
    "file_size": resource.RLIMIT_FSIZE,
}


def apply_rlimits(limits: dict[str, int | None]) -> None:
    for key, which in RLIMITS.items():
        value = limits.get(key)
        if value:
            resource.setrlimit(which, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid: int, gid: int) -> None:
    if os.getuid() != 0:
        return  # already unprivileged (e.g. a container's user)
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("codecall boot: could not drop root")


def harden(args: dict, seccomp_filter: Any = None) -> None:
    """rlimits, the uid drop and seccomp (`seccomp_filter` when built ahead), in that order (see the
    module docstring)."""
    apply_rlimits(args.get("rlimits", {}))
    if args.get("uid") is not None:
        drop_privileges(args["uid"], args.get("gid", args["uid"]))
    if args.get("seccomp", True):
        from sandbox.inside import seccomp

        seccomp.install(seccomp_filter)


def main(argument: str) -> None:
    args = json.loads(argument)
    harden(args)
    if args.get("lifeline") is not None:
        from sandbox.inside import lifeline

        lifeline.watch(args["lifeline"])
    os.chdir(args["work_dir"])
    sys.argv = [sys.argv[0]]
    start_kernel(args)


def start_kernel(args: dict) -> None:
    from sandbox.inside import kernel_app

    kernel_app.start(args)
