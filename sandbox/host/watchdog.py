"""The watchdog of one host process: waits on the host's lifeline and, when it breaks (the host is gone,
however it died), removes what the host's boxes cannot remove themselves.

Run by sandbox.host.host_process with the lifeline as stdin and `-I -S`, so it starts in milliseconds:
it imports the standard library and sandbox.boxes.cgroups only. On EOF it removes, in this order, the
host's docker containers (named codecall-<token>-…), its cgroups (codecall-<token>-…, after killing
what is still in them) and its session folder root. Bubblewrap boxes end themselves on the same EOF.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from sandbox.boxes.cgroups import Cgroup  # at start, not at EOF: the code on disk may have changed by then


def main() -> None:
    plan = json.loads(sys.argv[1])
    while True:
        try:
            if not os.read(0, 4096):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    prefix = f"codecall-{plan['token']}-"
    try:
        remove_containers(prefix)
        for parent in plan["cgroup_parents"]:
            remove_cgroups(Path(parent), prefix)
    finally:  # whatever failed above, the folders go
        shutil.rmtree(plan["root"], ignore_errors=True)


def remove_containers(prefix: str) -> None:
    docker = shutil.which("docker")
    if docker is None or not os.path.exists("/var/run/docker.sock"):
        return
    try:
        listed = subprocess.run([docker, "ps", "--all", "--quiet", "--filter", f"name=^{prefix}"],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        ids = listed.stdout.split()
        if ids:
            subprocess.run([docker, "rm", "--force", *ids], capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        pass


def remove_cgroups(parent: Path, prefix: str) -> None:
    """Kill what is left in each of the host's groups under `parent`, then remove the group."""
    try:
        folders = [p for p in parent.iterdir() if p.name.startswith(prefix) and p.is_dir()]
    except OSError:
        return
    group = Cgroup(folders)
    deadline = time.monotonic() + 10
    while group.folders and time.monotonic() < deadline:
        group.remove()
        group = Cgroup([f for f in group.folders if f.exists()])
        if group.folders:
            time.sleep(0.1)


if __name__ == "__main__":
    main()
