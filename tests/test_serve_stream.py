"""Streaming from a real OpenAI-compatible server: `transformers serve` on loopback, started by the test,
serving the bundled SmolLM2-135M-Instruct. `codecall ask --stream` writes the reply while the run goes on,
and `Agent.stream` / `Agent.astream` get it in many pieces (server-sent events through the openai SDK).
What a 135M model writes is not what these check."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from codecall import Agent, tool
from codecall.events import Done, StepEnd, Token
from codecall.models import OpenAICompatible, Transformers

from .conftest import TEST_LIMITS

pytestmark = pytest.mark.model

TOOLS = '''from codecall import tool


@tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b
'''
TASK = "What is 12 times 9?"


@tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


@dataclass
class Server:
    url: str
    model: str  #: the name it serves (it is pinned to one model: its folder)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    folder = str(Transformers().path)  # the bundled model's safetensors folder (converted on first use)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = Path(tempfile.mkstemp(prefix="codecall-serve-", suffix=".log")[1])
    command = [str(Path(sys.executable).with_name("transformers")), "serve", folder, "--host", "127.0.0.1",
               "--port", str(port), "--device", "cpu", "--dtype", "float32"]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, "HF_HUB_OFFLINE": "1"})  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 300
        while not _answers(f"{url}/models"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"transformers serve did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(1)
        yield Server(url, folder)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.unlink(missing_ok=True)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def test_ask_streams_the_code_before_the_run_ends(server: Server, tmp_path: Path) -> None:
    (tmp_path / "tools.py").write_text(TOOLS)
    command = [sys.executable, "-m", "codecall", "ask", TASK, "--tools", str(tmp_path / "tools.py"), "--model",
               f"{server.url}#{server.model}", "--stream", "--json", "--max-steps", "1", "--max-new-tokens", "24"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    record = json.loads(done.stdout)  # stdout stays the record alone
    assert record["steps"] == 1 and record["status"] in {"answered", "text", "max_steps"}, done.stderr
    head = "[step 1: the model writes]\n"
    assert head in done.stderr, done.stderr
    written = done.stderr.split(head, 1)[1]
    assert "\n[step 1: " in written  # the step's end (its code run, or a text answer) comes after the reply...
    assert written.split("\n[step 1: ", 1)[0].strip()  # ...which was written out before it, as it came


def test_stream_and_astream_get_the_reply_in_pieces(server: Server) -> None:
    model = OpenAICompatible(server.url, server.model, timeout=300)
    agent = Agent(model, [multiply], limits=TEST_LIMITS, max_steps=1, max_new_tokens=16)

    async def collect() -> list:
        return [event async for event in agent.astream(TASK)]

    for events in (list(agent.stream(TASK)), asyncio.run(collect())):
        pieces = [e.text for e in events if isinstance(e, Token)]
        step = next(e.step for e in events if isinstance(e, StepEnd))
        assert len(pieces) > 1 and "".join(pieces).startswith(step.model_text)
        assert events.index(next(e for e in events if isinstance(e, Token))) < events.index(
            next(e for e in events if isinstance(e, StepEnd)))  # fmt: skip
        assert isinstance(events[-1], Done) and step.completion_tokens > 0  # usage came with the stream
