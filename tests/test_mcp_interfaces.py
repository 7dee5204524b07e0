"""MCP servers named where a user names tools: `codecall ask --mcp`, `%%fc --mcp`, and a batch row's `mcp`;
with a scripted model (canned replies, not a language model)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from codecall.interfaces.batch import run_batch
from codecall.interfaces.cli import main
from codecall.models import Scripted

from .conftest import TEST_LIMITS

CALC = Path(__file__).parent / "mcp_servers" / "calc.py"


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def test_ask_with_an_mcp_server(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([fenced("final_answer(add(40, 2))")]))
    code = main(["ask", "What is 40 + 2?", "--mcp", f"{sys.executable} {CALC}", "--model", f"scripted:{replies}",
                 "--json", "--timeout", "10"])  # fmt: skip
    record = json.loads(capsys.readouterr().out)
    assert code == 0 and (record["status"], record["answer"]) == ("answered", 42.0)


def test_fc_magic_with_an_mcp_server() -> None:
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext codecall", store_history=False)
    shell.user_ns["model"] = Scripted([fenced("final_answer(shout(text='cell'))")])
    try:
        with capture_output() as captured:
            shell.run_cell(f"%%fc --model model -o run --mcp '{sys.executable} {CALC}'\nShout 'cell'.",
                           store_history=False)  # fmt: skip
        result = shell.user_ns["run"]
    finally:
        shell.run_cell("%reload_ext codecall", store_history=False)
    assert result.answer == "CELL", captured.outputs
    assert [(c.tool, c.server) for c in result.steps[0].tool_calls] == [("shout", "calc")]


def test_fc_session_with_an_mcp_server_for_fc_run_cells() -> None:
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext codecall", store_history=False)
    try:
        shell.run_cell(f"%fc_session --mcp '{sys.executable} {CALC}'", store_history=False)
        shell.run_cell("%%fc_run\nword = shout(text='kept')", store_history=False)
        with capture_output() as captured:
            shell.run_cell("%%fc_run\nprint(word, add(1, 2))", store_history=False)
    finally:
        shell.run_cell("%reload_ext codecall", store_history=False)  # closes the session and its servers
    assert captured.stdout == "KEPT 3.0\n"


def test_batch_rows_name_mcp_servers(tmp_path: Path) -> None:
    (tmp_path / "servers").mkdir()
    (tmp_path / "servers" / "calc.py").write_text(CALC.read_text())
    command = f"{sys.executable} servers/calc.py"  # relative to the tasks file, as tools and data are
    rows = [{"id": 1, "task": "one", "mcp": command}, {"id": 2, "task": "two", "mcp": [command]},
            {"id": 3, "task": "three", "mcp": 7}]  # fmt: skip
    (tmp_path / "tasks.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    replies = {"one": fenced("final_answer(add(1, 1))"), "two": fenced("final_answer(shout(text='b'))")}
    (tmp_path / "replies.json").write_text(json.dumps(replies))
    run_batch(tmp_path / "tasks.jsonl", tmp_path / "out.jsonl", jobs=2, progress=False, max_steps=1,
              model=f"scripted:{tmp_path / 'replies.json'}", limits=TEST_LIMITS)  # fmt: skip
    out = {r["id"]: r for r in map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())}
    assert (out[1]["answer"], out[2]["answer"]) == (2.0, "B")
    assert out[3]["status"] == "error" and "'mcp' must be an MCP server" in out[3]["error"]
