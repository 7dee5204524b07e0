"""Replies shown as they are written: `codecall ask --stream` (a real process) and `%%fc` (IPython's
InteractiveShell), with a scripted model (canned replies, not a language model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from codecall.models import Scripted

TOOLS = '''from codecall import tool


@tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b
'''

REPLY = "```python\nx = add(2, 3)\nfinal_answer(x)\n```"


def test_ask_streams_the_reply_to_stderr_and_keeps_json_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "tools.py").write_text(TOOLS)
    (tmp_path / "replies.json").write_text(json.dumps([REPLY]))
    command = [sys.executable, "-m", "codecall", "ask", "What is 2 + 3?", "--tools", str(tmp_path / "tools.py"),
               "--model", f"scripted:{tmp_path / 'replies.json'}", "--stream", "--json", "--timeout", "10"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)  # stdout is the record and nothing else
    assert (record["status"], record["answer"]) == ("answered", 5.0)
    head, written, tail = "[step 1: the model writes]\n", REPLY, "\n[step 1: ok]\n"
    assert head + written + tail in done.stderr  # the reply, then (after it ran) what it gave


def test_fc_shows_the_reply_as_it_is_written_then_the_step() -> None:
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext codecall", store_history=False)
    shell.user_ns["model"] = Scripted([REPLY])
    shell.run_cell(TOOLS.replace("@tool\n", ""), store_history=False)
    try:
        with capture_output() as captured:
            shell.run_cell("%%fc -t add --model model\nWhat is 2 + 3?", store_history=False)
    finally:
        shell.run_cell("%reload_ext codecall", store_history=False)
    shown = [o.data.get("text/markdown", "") for o in captured.outputs]
    writing = [text for text in shown if "*the model writes…*" in text]
    assert len(writing) > 1 and "x = add(2, 3)" in writing[-1]  # it grew as the reply was written
    assert writing[0] != writing[-1] and writing[-1].count("final_answer") == 1
    after = shown[shown.index(writing[-1]) + 1]
    assert after.startswith("**Step 1** · `ok`") and "```python\nx = add(2, 3)" in after  # the step took it over
