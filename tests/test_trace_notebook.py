"""A run's trace notebook re-runs through the sandbox: written by `Result.to_notebook`, executed by nbclient in
a real kernel. The runs are made with the scripted model (canned replies, not a language model), so each
trace holds exactly the code under test."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbformat import v4

from codecall import Agent, Result
from codecall.models import Scripted
from sandbox import Limits, Policy
from sandbox.policy import DEFAULT_IMPORTS


def host_folder() -> str:
    """The folder the host process runs in."""
    import os

    return os.getcwd()


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def scripted_run(steps: list[str], *, tools=(), **kwargs) -> Result:
    """A real run (real sandbox) whose model is the scripted one: it writes `steps` in turn."""
    model = Scripted([f"```python\n{code}\n```" for code in steps])
    variables = kwargs.pop("variables", {})
    return Agent(model, list(tools), max_steps=len(steps), **kwargs).run("Re-run me.", **variables)


def rerun(result: Result, folder: Path, *, sandboxed: bool = True, then: str = "") -> list[nbformat.NotebookNode]:
    """Write `result`'s trace, add a plain cell `then` at the end, execute it all under nbclient in `folder`;
    returns the code cells as they ran."""
    path = result.to_notebook(folder / "trace.ipynb", sandboxed=sandboxed)
    notebook = nbformat.read(str(path), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []  # what shows next is the re-run's, not the run's
    if then:
        notebook.cells.append(v4.new_code_cell(then))
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
                   ).execute()  # fmt: skip
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def shown(cell: nbformat.NotebookNode, stream: str | None = None) -> str:
    """A cell's outputs as text (only one stream's, when given)."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream" and stream in (None, output.name):
            parts.append(output.text)
        elif output.output_type == "execute_result" and stream is None:
            parts.append(output.data["text/plain"])
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "".join(parts)


def test_a_trace_reruns_inside_the_box_with_its_tools_on_the_host(tmp_path: Path) -> None:
    sales = pd.DataFrame({"region": ["n", "s", "n"], "revenue": [1, 2, 3]})
    result = scripted_run([
        "import os\nprint(os.getcwd(), host_folder())\ntotal = add(2, 3) + int(sales.revenue.sum())\ntotal",
        "final_answer(total)",
    ], tools=[host_folder, add], variables={"sales": sales})  # fmt: skip
    assert result.status == "answered" and result.answer == 11
    setup, step1, step2, after = rerun(result, tmp_path, then="print(repr(answer))")

    assert setup.source.startswith("# Set-up") and "%load_ext codecall" in setup.source
    assert "%fc_session --backend kernel" in setup.source and "-t host_folder -t add -i sales" in setup.source
    assert setup.outputs == []  # the session opened quietly
    assert step1.source.startswith("%%fc_run\n") and step2.source == "%%fc_run\nfinal_answer(total)"
    # the code ran in the box's work folder; the tool ran on the host, in the notebook's own folder
    assert shown(step1, "stdout") == f"/workspace {tmp_path}\n"
    assert shown(step1) == f"/workspace {tmp_path}\n11"  # then the last value, as the cell's result
    assert shown(after) == "11\n"  # final_answer in the sandbox bound `answer` in the notebook
    assert not any(o.output_type == "error" for cell in (setup, step1, step2, after) for o in cell.outputs)


def test_a_blocked_call_is_blocked_again_on_rerun(tmp_path: Path, host_secret: tuple[Path, str]) -> None:
    secret, content = host_secret
    result = scripted_run(["import subprocess\nsubprocess.run(['true'])", f"print(open({str(secret)!r}).read())",
                           "final_answer('done')"])  # fmt: skip
    assert [step.execution.status for step in result.steps] == ["blocked", "error", "ok"]

    _, imported, opened, _, answered = rerun(result, tmp_path, then="print(answer)")
    assert "Blocked by policy" in shown(imported, "stderr") and "'subprocess' is not allowed" in shown(imported)
    assert content not in shown(opened) and result.steps[1].execution.error.type in shown(opened, "stderr")
    assert shown(answered) == "done\n"  # the run went on past the refusals, as the run itself did

    # the same trace written unsandboxed is plain code in the notebook's own kernel: the secret shows there
    _, imported, opened, _ = rerun(result, tmp_path, sandboxed=False)
    assert "%%fc_run" not in opened.source and content in shown(opened, "stdout")


def test_the_rerun_keeps_the_runs_policy_and_limits(tmp_path: Path) -> None:
    policy = Policy(allowed_imports=DEFAULT_IMPORTS - {"statistics"})  # refuses what the default allows
    result = scripted_run(["import statistics", "while True:\n    pass", "final_answer(1)"],
                          policy=policy, limits=Limits(timeout=1.5))  # fmt: skip
    assert [step.execution.status for step in result.steps] == ["blocked", "timeout", "ok"]
    setup, imported, looped, _ = rerun(result, tmp_path)
    assert "timeout=1.5" in setup.source and "Policy.from_json" in setup.source
    assert "'statistics' is not allowed" in shown(imported, "stderr")
    assert "[timeout]" in shown(looped, "stderr")


def test_the_unsandboxed_form_still_reruns_with_validated_tools_and_data(tmp_path: Path) -> None:
    sales = pd.DataFrame({"revenue": [1, 2, 3]})
    result = scripted_run(["final_answer(add('2', 3) + len(sales))"], tools=[add], variables={"sales": sales})
    assert result.answer == 8
    setup, step, after = rerun(result, tmp_path, sandboxed=False, then="print(repr(answer))")
    assert "%load_ext" not in setup.source and "validated(add)" in setup.source and step.source.startswith("final")
    assert shown(after) == "8\n"


@pytest.mark.parametrize("sandboxed", [True, False])
def test_the_notebook_says_how_it_reruns(tmp_path: Path, sandboxed: bool) -> None:
    result = scripted_run(["print(1)", "final_answer(2)"])
    notebook = nbformat.read(str(result.to_notebook(tmp_path / "t.ipynb", sandboxed=sandboxed)), as_version=4)
    nbformat.validate(notebook)
    head = notebook.cells[0].source
    assert ("runs in a sandboxed session" in head) is sandboxed and ("**Unsandboxed:**" in head) is not sandboxed
    codes = [cell.source for cell in notebook.cells if cell.cell_type == "code"][1:]
    magic = "%%fc_run\n" if sandboxed else ""
    assert codes == [f"{magic}print(1)", f"{magic}final_answer(2)"]
    assert notebook.cells[3].outputs[0].text == "1\n"  # the run's own outputs are kept
