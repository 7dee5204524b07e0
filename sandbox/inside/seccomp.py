"""A seccomp filter that denies what a session never needs. Installed inside the box by sandbox.inside.boot.

Allow by default, deny a list: a kernel needs a broad set of ordinary syscalls (threads, mmap, zmq's
unix sockets), while the dangerous ones are few and well known. Denied calls fail with EPERM, so code
sees an ordinary OSError instead of dying.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

#: Syscalls refused outright, with the reason.
DENIED_SYSCALLS: dict[str, str] = {
    "ptrace": "inspecting or steering other processes",
    "process_vm_readv": "reading other processes' memory",
    "process_vm_writev": "writing other processes' memory",
    "mount": "changing the filesystem view",
    "umount2": "changing the filesystem view",
    "pivot_root": "changing the filesystem view",
    "chroot": "changing the filesystem view",
    "unshare": "new namespaces",
    "setns": "joining other namespaces",
    "keyctl": "the kernel keyring",
    "add_key": "the kernel keyring",
    "request_key": "the kernel keyring",
    "bpf": "loading kernel programs",
    "perf_event_open": "kernel performance counters",
    "userfaultfd": "a common exploit primitive",
    "kexec_load": "replacing the kernel",
    "init_module": "loading kernel modules",
    "finit_module": "loading kernel modules",
    "delete_module": "unloading kernel modules",
    "reboot": "rebooting",
    "swapon": "swap control",
    "swapoff": "swap control",
    "acct": "process accounting",
    "iopl": "raw port I/O",
    "ioperm": "raw port I/O",
    "syslog": "the kernel log",
    "quotactl": "filesystem quotas",
    "name_to_handle_at": "opening files by handle around the mount view",
    "open_by_handle_at": "opening files by handle around the mount view",
    "io_uring_setup": "a large kernel attack surface",
    "personality": "changing the execution domain",
    "fanotify_init": "filesystem-wide monitoring",
}

#: Socket families a session may create: only local (unix) sockets, which the Jupyter ipc
#: transport and the tool bridge use. Internet, packet and netlink sockets are refused.
ALLOWED_SOCKET_FAMILIES = (socket.AF_UNIX,)


def install(prebuilt: Any = None) -> None:
    """Install the filter (`prebuilt`, or one built now) on this process and its future children."""
    (prebuilt or build()).load()


def build() -> Any:
    """The filter, not yet loaded: a template builds it once, and each session it forks loads it. Syscalls
    the running kernel does not know are left out."""
    import pyseccomp as seccomp

    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            f.add_rule(seccomp.ERRNO(errno.EPERM), name)
        except (RuntimeError, ValueError, OSError):
            pass
    for family in range(0, 64):  # AF_MAX is below 64 on Linux
        if family not in ALLOWED_SOCKET_FAMILIES:
            f.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, family))
    # new user namespaces through clone flags are as dangerous as unshare
    clone_newuser = 0x10000000
    f.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, clone_newuser, clone_newuser))
    # clone3 passes its flags in memory that seccomp cannot read: answer ENOSYS, so libc falls back
    # to clone, whose flags the rule above sees
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    return f
