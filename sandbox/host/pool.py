"""A warm pool: boxed kernels started ahead of need, so a session is handed out in milliseconds.

Each pooled kernel is handed out once and never returns: a session's kernel is shut down when the
session ends, so every kernel a session gets is clean by construction (no state from another session).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from sandbox.boxes.base import Box
from sandbox.errors import KernelDied
from sandbox.host.kernel import BoxedKernel
from sandbox.host.session import Session, make_box
from sandbox.limits import DEFAULT_LIMITS, Limits
from sandbox.policy import DEFAULT_POLICY, Policy


class WarmPool:
    """Keeps `size` started kernels ready; kernels idle longer than `idle_lifetime` s are replaced.
    `total` bounds how many kernels it starts ahead in all: `size=1, total=1` starts one kernel now (while a
    caller loads a model, say) and none after it is taken."""

    def __init__(
        self,
        backend: str | Box = "kernel",
        *,
        policy: Policy = DEFAULT_POLICY,
        limits: Limits = DEFAULT_LIMITS,
        size: int = 2,
        idle_lifetime: float = 600.0,
        total: int | None = None,
    ) -> None:
        self.policy, self.limits = policy, limits
        self.box = make_box(backend, limits)
        self.size, self.idle_lifetime, self.total = size, idle_lifetime, total
        self._started = 0  # kernels the filler started
        self._ready: deque[BoxedKernel] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._filler = threading.Thread(target=self._fill, name="codecall-pool", daemon=True)
        self._filler.start()

    def acquire(self) -> BoxedKernel:
        """A started, never-used kernel: from the pool when one is ready, else started now."""
        kernel = None
        with self._lock:
            while self._ready and kernel is None:
                candidate = self._ready.popleft()
                if candidate.alive():
                    kernel = candidate
                else:
                    candidate.shutdown()
        self._wake.set()
        return kernel or self._start()

    def session(self, **options: Any) -> Session:
        """A Session whose kernel comes from this pool."""
        return Session(pool=self, **options)

    def wait_ready(self, count: int | None = None, timeout: float = 60.0) -> bool:
        """Block until `count` (default: size) kernels are ready; for benchmarks and start-up."""
        count = self.size if count is None else count
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self._ready) >= count:
                return True
            time.sleep(0.01)
        return False

    def _start(self) -> BoxedKernel:
        return BoxedKernel(self.box, self.policy, self.limits).start()

    def _fill(self) -> None:
        while not self._closed:
            self._retire_expired()
            if len(self._ready) < self.size and (self.total is None or self._started < self.total):
                self._started += 1
                try:
                    kernel = self._start()
                except KernelDied as error:  # acquire() starts one cold and raises with the details
                    logging.getLogger("sandbox").warning("sandbox: the warm pool could not start a kernel: %s", error)
                    self._wake.wait(5.0)
                    continue
                with self._lock:
                    if self._closed:
                        kernel.shutdown()
                        return
                    self._ready.append(kernel)
                continue
            self._wake.wait(min(self.idle_lifetime / 4, 30.0))
            self._wake.clear()

    def _retire_expired(self) -> None:
        now = time.monotonic()
        with self._lock:
            expired = [k for k in self._ready if now - k.started_at > self.idle_lifetime]
            for kernel in expired:
                self._ready.remove(kernel)
        for kernel in expired:
            kernel.shutdown()

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self._filler.join(timeout=60)
        with self._lock:
            kernels, self._ready = list(self._ready), deque()
        for kernel in kernels:
            kernel.shutdown()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
