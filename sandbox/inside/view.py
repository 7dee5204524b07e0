"""In a forked session: its own view of the file system (`private_view`), through thin ctypes wrappers of
the system calls the template needs that Python's `os` lacks (mount, unshare, setns)."""

from __future__ import annotations

import ctypes
import os
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
libc = ctypes.CDLL(None, use_errno=True)


def check(result: int, what: str) -> None:
    """Raise the C library's errno as an OSError when a call returned non-zero."""
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def mount(source: str | None, target: str, kind: str | None, flags: int = 0, data: str | None = None) -> None:
    encode = (lambda v: None if v is None else v.encode())  # noqa: E731
    check(libc.mount(encode(source), encode(target), encode(kind), flags, encode(data)), f"mount {target}")


def private_view(request: dict) -> None:
    """This session's own /proc, /tmp, /dev/shm, work folder and session folder, and no other session's:
    the folder that holds every session folder is covered by an empty tmpfs (the new /tmp, when it is
    below /tmp), then only this session's is bound back, at the same path."""
    work = os.open(request["work_dir"], os.O_PATH)
    run = os.open(request["session_dir"], os.O_PATH)
    kept = {root: os.open(root, os.O_PATH) for root in _python_roots_below("/tmp")}
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={request['disk']},mode=1777")
    for root, handle in kept.items():  # a virtual environment in a checkout below /tmp stays in view, read-only
        os.makedirs(root, mode=0o755, exist_ok=True)
        mount(f"/proc/self/fd/{handle}", root, None, MS_BIND | MS_REC)
        mount(None, root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(handle)
    if os.path.isdir("/dev/shm"):
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=1777")
    if os.path.isdir(request["sessions_root"]):  # not already covered by the new /tmp
        mount("tmpfs", request["sessions_root"], "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0711")
    os.makedirs(request["session_dir"], mode=0o711)
    mount(f"/proc/self/fd/{run}", request["session_dir"], None, MS_BIND)
    mount(f"/proc/self/fd/{work}", request["boot"]["work_dir"], None, MS_BIND)
    os.close(work)
    os.close(run)


def _python_roots_below(folder: str) -> list[str]:
    """The running Python's folders (its environment, the installation it is based on: what the box binds
    for it) that lie below `folder`, outermost first."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    roots.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    below = sorted(r for r in roots if r.startswith(folder.rstrip("/") + "/"))
    return [r for r in below if not any(r.startswith(o + "/") for o in below if o != r)]
