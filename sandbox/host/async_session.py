"""A session for an event loop: `Session`'s methods, awaited, each run in a worker thread of the loop's
executor so that the loop stays free while a kernel starts or code runs; async tools are awaited on the
session's event loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from sandbox.execution import Execution
from sandbox.host.session import Session


async def in_thread(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`function(*args, **kwargs)` in a worker thread of the running loop's executor. Not `asyncio.to_thread`:
    that copies the caller's context variables into the thread, and jupyter_client keeps the event loop it
    drives a kernel with in one, so the threads would share one loop and run it at once."""
    call = functools.partial(function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(None, call)


class AsyncSession:
    """`Session` for async code.

    >>> async with await AsyncSession.open("kernel", tools={"add": add}) as s:
    ...     (await s.execute("add(2, 3)")).value
    5
    """

    def __init__(self, session: Session) -> None:
        self.session = session  #: the blocking session underneath, for what is not wrapped here

    @classmethod
    async def open(cls, backend: str = "kernel", **options: Any) -> AsyncSession:
        """A new `Session(backend, **options)` (a `pool=` one included), started in a worker thread; its
        async tools are awaited on the running event loop."""
        loop = asyncio.get_running_loop()
        return cls(await in_thread(Session, backend, tool_loop=loop, **options))

    async def execute(self, code: str, timeout: float | None = None) -> Execution:
        return await in_thread(self.session.execute, code, timeout)

    async def put(self, name: str, value: Any) -> None:
        await in_thread(self.session.put, name, value)

    async def get(self, name: str) -> Any:
        return await in_thread(self.session.get, name)

    async def close(self) -> None:
        await in_thread(self.session.close)

    async def __aenter__(self) -> AsyncSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
