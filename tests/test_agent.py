"""The loop's logic, one test per path, with a deterministic scripted model (not a language model)."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from codecall import Agent
from codecall.models import Scripted
from codecall.result import RunRecord
from codecall.tools import Tool, tool

from .conftest import TEST_LIMITS


@tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def fenced(code: str) -> str:
    return f"Here is the code:\n```python\n{code}\n```"


def run(replies: list[str], task: str = "What is 2 + 3?", **variables):
    agent = Agent(Scripted(replies), [add], limits=TEST_LIMITS, max_steps=3)
    return agent.run(task, **variables)


def test_final_answer_ends_the_run() -> None:
    result = run([fenced("total = add(2, 3)\nfinal_answer(total)")])
    assert result.status == "answered" and result.answer == 5
    assert len(result.steps) == 1 and result.steps[0].execution.ok


def test_plain_text_answer_ends_the_run() -> None:
    result = run(["The answer is 5."])
    assert result.status == "text" and result.answer == "The answer is 5."
    assert result.steps[0].code is None


def test_checker_rejection_goes_back_then_a_fix() -> None:
    result = run([fenced("import subprocess\nfinal_answer(subprocess.run(['ls']))"), fenced("final_answer(add(2, 3))")])
    first = result.steps[0]
    assert first.execution.status == "blocked"
    assert "import of 'subprocess' is not allowed" in first.observation
    assert result.status == "answered" and result.answer == 5


def test_runtime_error_goes_back_then_a_fix() -> None:
    result = run([fenced("x = [1]\nprint(x[3])"), fenced("final_answer(add(2, 3))")])
    assert result.steps[0].execution.status == "error"
    assert "IndexError" in result.steps[0].observation and "line 2" in result.steps[0].observation
    assert result.answer == 5


def test_tool_validation_error_goes_back_then_a_fix() -> None:
    result = run([fenced("final_answer(add('two', 3))"), fenced("final_answer(add(2, 3))")])
    assert result.steps[0].execution.error.type == "ToolCallError"
    assert "argument 'a'" in result.steps[0].observation
    assert result.answer == 5


def test_max_steps_gives_a_clear_status() -> None:
    result = run([fenced("print('thinking')")])
    assert result.status == "max_steps" and len(result.steps) == 3
    assert "3 steps" in result.error


def test_state_persists_across_steps_and_data_is_given() -> None:
    model = Scripted([fenced("total = int(sales.sales.sum())\nprint(total)"), fenced("final_answer(total)")])
    frame = pd.DataFrame({"city": ["a", "b"], "sales": [10, 32]})
    result = Agent(model, [add], limits=TEST_LIMITS).run("Total sales?", sales=frame)
    assert result.answer == 42
    assert "sales: DataFrame with 2 rows" in model.seen[0][0]["content"]
    assert "42" in model.seen[1][-1]["content"]  # the first step's output went back to the model


def test_notebook_reexecutes_to_the_same_outputs(tmp_path) -> None:
    result = run([fenced("x = add(2, 3)\nprint('x is', x)\nx * 10"), fenced("final_answer(x)")])
    path = result.to_notebook(tmp_path / "run.ipynb")
    notebook = nbformat.read(str(path), as_version=4)
    nbformat.validate(notebook)
    recorded = [c.outputs for c in notebook.cells if c.cell_type == "code"][1:]
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    rerun = [c.outputs for c in notebook.cells if c.cell_type == "code"][1:]
    assert _texts(rerun) == _texts(recorded)
    assert "x is 5.0" in _texts(rerun)[0]


def _texts(outputs_per_cell: list) -> list[str]:
    texts = []
    for outputs in outputs_per_cell:
        parts = []
        for output in outputs:
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                parts.append(output.data.get("text/plain", ""))
        texts.append("".join(parts))
    return texts


def test_to_json_is_plain_json() -> None:
    import json

    result = run([fenced("final_answer({'sum': add(2, 3)})")])
    data = json.loads(json.dumps(result.to_json()))
    assert data["answer"] == {"sum": 5} and data["status"] == "answered" and len(data["steps"]) == 1


def test_a_dataframe_answer_serialises_in_the_split_orient() -> None:
    """`Execution.to_json`, `Result.to_json` and the run record all give a DataFrame answer as pandas'
    "split" orient, which rebuilds the frame."""
    import json

    frame = pd.DataFrame({"region": ["north", "south"], "revenue": [130, 95]})
    result = run([fenced("final_answer(sales[sales.revenue > 0])")], sales=frame)
    assert result.status == "answered" and isinstance(result.answer, pd.DataFrame)
    split = {"columns": ["region", "revenue"], "index": [0, 1], "data": [["north", 130], ["south", 95]]}
    execution = json.loads(json.dumps(result.steps[0].execution.to_json()))
    assert execution["answer"] == split and execution["status"] == "ok"
    assert json.loads(json.dumps(result.to_json()))["answer"] == split
    record = RunRecord.from_result(result, id="t1", mode="plain")
    data = json.loads(json.dumps(record.to_json()))
    assert data["answer"] == split and pd.DataFrame(**data["answer"]).equals(frame)
    assert list(data)[:8] == ["id", "task", "status", "answer", "error", "steps", "duration_s", "tokens"]
    assert data["mode"] == "plain" and data["steps"] == 1 and data["tokens"] == record.tokens


def test_a_run_record_round_trips_through_json() -> None:
    import json

    record = RunRecord("q1", "What is 2 + 3?", "answered", {"sum": [5, 5.5]}, None, 2, 0.125, 40,
                       {"line": 3, "correct": True, "tools_shown": ["add"]})  # fmt: skip
    text = json.dumps(record.to_json())
    assert RunRecord.from_json(json.loads(text)) == record and json.loads(text)["line"] == 3
    assert record.ok and record.correct and record.tools_shown == ["add"]
    with pytest.raises(AttributeError):
        _ = record.level
    failed = RunRecord.failure("no such tool", id=7, task=None, duration_s=0.01234)
    assert (failed.status, failed.ok, failed.duration_s) == ("error", False, 0.012)
    assert RunRecord.from_json(failed.to_json()) == failed
    with pytest.raises(ValueError, match="overwrite"):
        RunRecord(1, "t", "answered", extra={"status": "x"})
    assert not RunRecord.from_result(run([fenced("print(1)")])).ok  # no answer in three turns: max_steps


def test_a_tool_from_an_openai_spec_is_validated_against_the_spec_in_the_box() -> None:
    spec = {"name": "double", "description": "Double a whole number.",
            "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}  # fmt: skip
    double = Tool.from_openai(spec, lambda **arguments: arguments["n"] * 2)  # the implementation accepts anything
    code = ("print(double(n='21'))\nfor bad in ({'n': 'x'}, {}, {'n': 1, 'extra': 2}):\n"
            "    try:\n        double(**bad)\n    except Exception as error:\n"
            "        print(type(error).__name__, error)")  # fmt: skip
    agent = Agent(Scripted([fenced(code), fenced("final_answer(double(n=4))")]), [double], limits=TEST_LIMITS)
    result = agent.run("Double 4.")
    lines = result.steps[0].execution.stdout.splitlines()
    assert lines[0] == "42"  # coerced to the spec's integer, as for a typed function
    assert "argument 'n'" in lines[1] and "integer" in lines[1]
    assert "missing" in lines[2] and "'n'" in lines[2]  # the stub has the spec's signature
    assert "unexpected" in lines[3] and "'extra'" in lines[3]
    assert (result.status, result.answer) == ("answered", 8)
