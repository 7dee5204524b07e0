"""The async driver of the agent's loop (`Agent.arun`, `Agent.astream`): the same loop as `Agent.stream`,
run on an event loop so that many runs at once share it (and a warm pool) without blocking it.

The model is awaited (`Model.astream`: an async HTTP client natively, a local model in a worker thread);
the sandbox's blocking work (opening a session, each execution, closing it) runs in worker threads
(`sandbox.AsyncSession`); async tools are awaited on this event loop (the session's tool bridge schedules
them on it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from codecall.agent import Execute, Generate, StepCallback, advance, done, model_failures
from codecall.errors import ModelError
from codecall.events import Done, Event, StepEnd, Token
from codecall.models import Generation
from codecall.result import Result, ToolCall
from sandbox.errors import SandboxError
from sandbox.host.async_session import AsyncSession, in_thread

if TYPE_CHECKING:
    from codecall.agent import Agent


async def arun(agent: Agent, task: str, *, on_step: StepCallback | None = None, **variables: Any) -> Result:
    """`Agent.run` on an event loop."""
    async for event in astream(agent, task, **variables):
        if isinstance(event, StepEnd) and on_step is not None:
            on_step(event.step)
        elif isinstance(event, Done):
            return event.result
    raise AssertionError("unreachable: a stream always ends with Done")


async def astream(agent: Agent, task: str, **variables: Any) -> AsyncIterator[Event]:
    """`Agent.stream` on an event loop: the same events, in the same order."""
    started, result = time.perf_counter(), agent._new_result(task, variables)
    calls: list[ToolCall] = []  # the tool calls of the step running, for its trace
    try:
        session = AsyncSession(await in_thread(agent._open, variables, calls, asyncio.get_running_loop()))
        try:
            steps, reply = agent._steps(task, variables, result, calls), None
            while (item := advance(steps, reply)) is not None:
                reply = None
                if isinstance(item, Generate):
                    with model_failures():
                        async for piece in agent.model.astream(item.request):
                            if isinstance(piece, Generation):
                                reply = piece
                            else:
                                yield Token(item.step, piece)
                elif isinstance(item, Execute):
                    reply = await session.execute(item.code)
                else:
                    yield item
        finally:
            await session.close()
    except SandboxError as error:
        result.status, result.error = "error", f"sandbox: {error}"
    except ModelError as error:
        result.status, result.error = "error", f"model: {error}"
    yield done(result, started)
