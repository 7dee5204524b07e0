"""Async tools: an `async def` tool is awaited on the host, where every tool runs.

The sandbox's tool bridge calls tools from its own threads and waits for the value, so an async tool goes
through a blocking stand-in with the same signature: in an async run (`Agent.arun`) its coroutine runs on
the run's event loop (so it shares that loop's clients and locks, and the loop stays free meanwhile); in a
blocking run, on a fresh loop in the bridge's thread.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from codecall.tools import Tool


def is_async(tool: Tool) -> bool:
    return inspect.iscoroutinefunction(tool.fn)


def blocking(tool: Tool, loop: asyncio.AbstractEventLoop | None) -> Tool:
    """`tool` as the bridge can call it: unchanged when it is a plain function; an async one awaited on
    `loop` (from the bridge's thread, never the loop's own) or, with no loop, on a loop of its own."""
    if not is_async(tool):
        return tool
    return replace(tool, fn=_awaiting(tool.fn, loop))


def _awaiting(function: Callable[..., Any], loop: asyncio.AbstractEventLoop | None) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        if loop is None or not loop.is_running():
            return asyncio.run(function(*args, **kwargs))
        return asyncio.run_coroutine_threadsafe(function(*args, **kwargs), loop).result()

    return call
