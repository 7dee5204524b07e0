"""Streamed steps and the async API, with a deterministic scripted model (not a language model) and real
boxed sessions: the events of a run in order, `run` and `arun` agreeing with them, async tools awaited on
the host, and many `arun`s on one event loop sharing a warm pool without blocking each other."""

from __future__ import annotations

import asyncio
import threading

import pytest

from codecall import Agent
from codecall.events import Answer, Code, Done, Observation, Output, StepEnd, Token
from codecall.models import GenerationRequest, Scripted, Serialized
from codecall.models.scripted import reply_by_task
from codecall.tools import tool
from sandbox import AsyncSession, Session, WarmPool

from .conftest import TEST_LIMITS


@tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def fenced(code: str) -> str:
    return f"Here is the code:\n```python\n{code}\n```"


TWO_STEPS = [fenced("x = add(2, 3)\nprint(x)"), fenced("final_answer(x * 2)")]


def kinds(events: list) -> list[str]:
    """The events' kinds, a run of Tokens as one "Token"."""
    names = [type(e).__name__ for e in events]
    return [n for i, n in enumerate(names) if n != "Token" or i == 0 or names[i - 1] != "Token"]


def test_stream_yields_each_step_as_it_happens() -> None:
    agent = Agent(Scripted(TWO_STEPS), [add], limits=TEST_LIMITS, max_steps=3)
    events = list(agent.stream("What is (2 + 3) * 2?"))
    assert kinds(events) == ["Token", "Code", "Output", "Observation", "StepEnd",
                             "Token", "Code", "Output", "StepEnd", "Answer", "Done"]  # fmt: skip
    first = [e.text for e in events if isinstance(e, Token) and e.step == 1]
    assert len(first) > 1 and "".join(first) == TWO_STEPS[0]  # the reply, in pieces, as written
    code = next(e for e in events if isinstance(e, Code))
    assert code.code == "x = add(2, 3)\nprint(x)"
    output = next(e for e in events if isinstance(e, Output))
    assert output.execution.stdout == "5.0\n"
    assert "5.0" in next(e for e in events if isinstance(e, Observation)).text
    answer, done = events[-2:]
    assert isinstance(answer, Answer) and (answer.value, answer.status) == (10.0, "answered")
    assert isinstance(done, Done) and done.result.answer == 10.0 and len(done.result.steps) == 2
    assert [e.step for e in events if isinstance(e, StepEnd)] == done.result.steps


def test_run_is_the_stream_consumed() -> None:
    seen = []
    agent = Agent(Scripted(TWO_STEPS), [add], limits=TEST_LIMITS, max_steps=3)
    result = agent.run("What is (2 + 3) * 2?", on_step=seen.append)
    assert (result.answer, result.status) == (10.0, "answered") and seen == result.steps


def test_a_failing_model_ends_the_stream_with_an_error_result() -> None:
    def broken(request: GenerationRequest) -> str:
        raise RuntimeError("the backend fell over")

    events = list(Agent(Scripted([broken]), [add], limits=TEST_LIMITS).stream("What is 2 + 3?"))
    assert len(events) == 1 and isinstance(events[0], Done)
    assert events[0].result.status == "error" and "RuntimeError: the backend fell over" in events[0].result.error


def test_a_serialized_model_streams_under_its_lock() -> None:
    model = Serialized(Scripted(TWO_STEPS))
    pieces = model.stream(GenerationRequest([{"role": "user", "content": "hi"}]))
    next(pieces)
    assert model._lock.locked()
    pieces.close()  # a consumer that stops early releases it
    assert not model._lock.locked()


def test_arun_and_astream_give_what_run_and_stream_give() -> None:
    agent = Agent(Scripted(TWO_STEPS), [add], limits=TEST_LIMITS, max_steps=3)
    sync = list(agent.stream("What is (2 + 3) * 2?"))

    async def collect() -> list:
        agent.model = Scripted(TWO_STEPS)
        return [event async for event in agent.astream("What is (2 + 3) * 2?")]

    events = asyncio.run(collect())
    assert kinds(events) == kinds(sync)
    assert [e.text for e in events if isinstance(e, Token)] == [e.text for e in sync if isinstance(e, Token)]
    agent.model = Scripted(TWO_STEPS)
    result = asyncio.run(agent.arun("What is (2 + 3) * 2?"))
    assert (result.answer, result.status, len(result.steps)) == (10.0, "answered", 2)


@tool
async def lookup(city: str) -> float:
    """The temperature in a city, from an async client."""
    await asyncio.sleep(0)
    return {"Paris": 21.5}.get(city, 0.0)


def test_an_async_tool_is_awaited_on_the_host_in_both_apis() -> None:
    replies = [fenced("final_answer(lookup('Paris'))")]
    agent = Agent(Scripted(replies), [lookup], limits=TEST_LIMITS)
    assert agent.run("How warm is Paris?").answer == 21.5
    agent.model = Scripted(replies)
    assert asyncio.run(agent.arun("How warm is Paris?")).answer == 21.5
    agent.model = Scripted([fenced("final_answer(lookup(city=3))")])  # still validated against its signature
    assert "invalid arguments" in str(agent.run("How warm is Paris?").steps[0].execution.error)


def test_a_plain_session_awaits_an_async_tool_too() -> None:
    with Session("kernel", limits=TEST_LIMITS, tools={"lookup": lookup}) as session:
        assert session.execute("lookup('Paris') + 1").value == 22.5


def test_an_async_session_runs_code_and_awaits_async_tools_on_its_loop() -> None:
    async def main() -> tuple:
        async with await AsyncSession.open("kernel", limits=TEST_LIMITS, tools={"lookup": lookup}) as session:
            await session.put("bonus", 1.5)
            execution = await session.execute("warm = lookup('Paris') + bonus\nwarm")
            return execution.value, await session.get("warm")

    assert asyncio.run(main()) == (23.0, 23.0)


def test_an_async_tool_runs_on_the_runs_event_loop() -> None:
    loops = []

    @tool
    async def where() -> str:
        """Which thread runs this tool."""
        loops.append((asyncio.get_running_loop(), threading.current_thread()))
        return "here"

    async def main() -> tuple:
        agent = Agent(Scripted([fenced("final_answer(where())")]), [where], limits=TEST_LIMITS)
        result = await agent.arun("Where?")
        return result.answer, asyncio.get_running_loop(), threading.current_thread()

    answer, loop, thread = asyncio.run(main())
    assert answer == "here" and loops == [(loop, thread)]


def test_many_aruns_share_a_pool_and_the_loop_without_blocking_each_other() -> None:
    """Each run's tool waits on the others: every run reaches its tool call before any finishes, which only
    happens when neither the loop nor a run blocks the rest (otherwise this deadlocks and wait_for fails).
    Each waiting execution holds a thread of the loop's executor (at least 5 on any machine): 4 runs."""
    runs = 4

    async def main() -> list:
        arrived = 0
        everyone = asyncio.Event()

        @tool
        async def meet(name: str) -> str:
            """Wait here until every run has arrived."""
            nonlocal arrived
            arrived += 1
            if arrived == runs:
                everyone.set()
            await everyone.wait()
            return name

        replies = {f"run {i}": fenced(f"final_answer(meet('run {i}'))") for i in range(runs)}
        model = Scripted([reply_by_task(replies)], delay_s=0.2)  # waits as an HTTP model would, asleep
        with WarmPool("kernel", limits=TEST_LIMITS, size=2) as pool:
            agent = Agent(model, [meet], pool=pool)
            work = asyncio.gather(*(agent.arun(task) for task in replies))
            return await asyncio.wait_for(work, timeout=300)

    results = asyncio.run(main())
    assert [r.answer for r in results] == [f"run {i}" for i in range(runs)]


@pytest.mark.parametrize("api", ["stream", "astream"])
def test_an_unavailable_box_is_reported_in_the_result(api: str) -> None:
    agent = Agent(Scripted(TWO_STEPS), [add], sandbox="no-such-box", limits=TEST_LIMITS)

    async def collect() -> list:
        return [event async for event in agent.astream("What is 2 + 3?")]

    events = list(agent.stream("What is 2 + 3?")) if api == "stream" else asyncio.run(collect())
    assert len(events) == 1 and events[0].result.status == "error" and "no-such-box" in events[0].result.error


@pytest.mark.model
def test_the_local_model_streams_its_guided_reply_as_generate_writes_it() -> None:
    from codecall.models import Transformers
    from codecall.models.base import cut_at_stop
    from codecall.prompt import opening_request

    model = Transformers(reuse_cache=False)
    @tool
    def multiply(a: float, b: float) -> float:
        """Multiply two numbers."""
        return a * b

    request = opening_request("What is 12 times 9?", [multiply], prefill=True, max_new_tokens=40)
    *pieces, generation = model.stream(request)
    assert len(pieces) > 1 and all(isinstance(p, str) for p in pieces)
    assert cut_at_stop("".join(pieces), request.stop)[0] == generation.text == model.generate(request).text
    assert "multiply(" in generation.text  # guided: a call of the tool offered


def test_an_unreachable_server_is_a_model_error_in_every_api() -> None:
    from codecall.models import OpenAICompatible

    model = OpenAICompatible("http://127.0.0.1:9/v1", "m", max_retries=0, timeout=2)
    agent = Agent(model, [add], limits=TEST_LIMITS)
    for result in (agent.run("What is 2 + 3?"), asyncio.run(agent.arun("What is 2 + 3?"))):
        assert result.status == "error" and "no answer after 1 attempts" in result.error, result.error
        assert result.error.startswith("model: http://127.0.0.1:9/v1/chat/completions")
