"""Every resource limit of a session, with its default, in one place (shown by `codecall limits`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox session. Sizes in bytes, times in seconds."""

    timeout: float = 30.0  #: wall time of one execution; it is interrupted after this
    memory: int = 2048 * MiB  #: memory of the whole session (cgroup, else address space)
    cpu_time: int = 600  #: CPU seconds the session may use in all (RLIMIT_CPU)
    cpus: float = 1.0  #: CPU share (cgroup quota / docker --cpus)
    processes: int = 64  #: processes and threads (cgroup pids, RLIMIT_NPROC)
    open_files: int = 256  #: open file descriptors (RLIMIT_NOFILE)
    file_size: int = 256 * MiB  #: largest file the code may write (RLIMIT_FSIZE)
    disk: int = 512 * MiB  #: size of the private /tmp (a tmpfs, counted as memory)
    output: int = 64 * 1024  #: characters kept of stdout and of stderr per execution
    interrupt_grace: float = 2.0  #: after an interrupt, how long to wait before killing the session

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def describe(cls) -> list[tuple[str, object, str]]:
        """(name, default, meaning) for each limit, for --help and `codecall limits`."""
        docs = _field_docs()
        return [(f.name, f.default, docs.get(f.name, "")) for f in fields(cls)]


def _field_docs() -> dict[str, str]:
    import inspect

    docs = {}
    for line in inspect.getsource(Limits).splitlines():
        if "#:" in line and ":" in line.split("#:")[0]:
            name = line.split(":")[0].strip()
            docs[name] = line.split("#:", 1)[1].strip()
    return docs


DEFAULT_LIMITS = Limits()
