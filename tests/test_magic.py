"""The %%fc magic: in-process with IPython's InteractiveShell (quick), and the example notebook under nbclient
in a real kernel with the bundled model. Scripted models (canned replies, not language models) pin exact
outputs; the bundled model's answers are checked for structure only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from nbclient import NotebookClient

from codecall import Result
from codecall.interfaces import magic
from codecall.models import Scripted
from sandbox import Limits

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "analysis.ipynb"


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext codecall", store_history=False)
    shell.user_ns["sales"] = pd.DataFrame({"region": ["n", "s", "n"], "revenue": [1, 2, 3]})
    yield shell
    shell.run_cell("%reload_ext codecall", store_history=False)  # fresh defaults for the next test


def run_cell(shell: InteractiveShell, source: str) -> str:
    """Run a cell; return the text of everything it displayed (Markdown where given, else plain text)."""
    with capture_output() as captured:
        outcome = shell.run_cell(source, store_history=False)
    assert outcome.error_in_exec is None and outcome.error_before_exec is None
    texts = [o.data.get("text/markdown", o.data.get("text/plain", "")) for o in captured.outputs]
    return "\n".join(texts) + captured.stdout


def test_help_lists_the_options(shell: InteractiveShell) -> None:
    doc = shell.find_cell_magic("fc").__doc__
    for option in ("--input", "--output", "--model", "--backend", "--max-steps", "--show-code", "--hide-code",
                   "--notebook", "--tool"):  # fmt: skip
        assert option in doc
    assert "--max-new-tokens" in shell.find_line_magic("fc_config").__doc__


def test_steps_then_a_dataframe_answer_bound_with_output(shell: InteractiveShell) -> None:
    shell.user_ns["model"] = Scripted([fenced("totals = sales.groupby('region').revenue.sum()\nprint(totals.max())"),
                                       fenced("final_answer(totals.to_frame())")])  # fmt: skip
    shown = run_cell(shell, "%%fc -i sales --model model -o run\nTotals by region?")
    assert "**Step 1** · `ok`" in shown and "```python\ntotals = sales.groupby" in shown
    assert "```\n4\n```" in shown  # the step's stdout
    assert "### Answer" in shown and "revenue" in shown
    run = shell.user_ns["run"]
    assert isinstance(run, Result) and isinstance(run.answer, pd.DataFrame)
    assert run.answer["revenue"].to_dict() == {"n": 4, "s": 2}


def test_an_image_shows_inline_and_is_kept_as_a_file(shell: InteractiveShell) -> None:
    shell.user_ns["model"] = Scripted([fenced("import matplotlib.pyplot as plt\nplt.plot(sales.revenue)\nplt.show()\n"
                                              "final_answer('drawn')")])  # fmt: skip
    with capture_output() as captured:
        shell.run_cell("%%fc -i sales --model model -o run\nPlot revenue.", store_history=False)
    assert any("image/png" in output.data for output in captured.outputs)
    (image,) = shell.user_ns["run"].artifacts
    assert Path(image).read_bytes().startswith(b"\x89PNG")


def test_config_defaults_apply_and_cell_options_win(shell: InteractiveShell, tmp_path: Path) -> None:
    shell.user_ns["model"] = Scripted([fenced("print('working')")])
    shown = run_cell(shell, "%fc_config --model model --max-steps 2 --hide-code")
    assert "| max_steps | `2` |" in shown and "| model | `model` |" in shown
    shown = run_cell(shell, "%%fc\nKeep working.")
    assert "No answer (max_steps)" in shown and "2 step(s)" in shown and "```python" not in shown
    trace = tmp_path / "trace.ipynb"
    shown = run_cell(shell, f"%%fc --show-code --max-steps 1 --notebook {trace}\nKeep working.")
    assert "```python\nprint('working')" in shown and "1 step(s)" in shown
    nbformat.validate(nbformat.read(str(trace), as_version=4))


def test_tools_and_comma_separated_inputs(shell: InteractiveShell) -> None:
    def double(x: int) -> int:
        """Twice x."""
        return 2 * x

    model = Scripted([fenced("final_answer(double(factor) + len(sales))")])
    shell.user_ns.update(double=double, factor=10, model=model)
    run_cell(shell, "%%fc -i sales,factor -t double --model model -o run\nDouble the factor, add the rows.")
    assert shell.user_ns["run"].answer == 23


def test_errors_render_in_the_cell_and_never_raise(shell: InteractiveShell) -> None:
    shown = run_cell(shell, "%%fc -i no_such_frame --model bundled\nSummarise it.")
    assert "### codecall error" in shown and "no notebook variable named 'no_such_frame'" in shown
    shown = run_cell(shell, "%%fc --model /no/such/model\nWhat is 2 + 3?")
    assert "**ModelError:**" in shown
    shell.user_ns["model"] = Scripted([fenced("print(sales['profit'])")])
    shown = run_cell(shell, "%%fc -i sales --model model --max-steps 1\nTotal profit?")
    assert "**KeyError**" in shown and "KeyError: 'profit'" in shown and "No answer (max_steps)" in shown


def test_a_model_is_loaded_once_per_notebook(shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = []

    def resolve(spec: str | None) -> Scripted:
        loaded.append(spec)
        return Scripted([fenced("final_answer(5)")])

    monkeypatch.setattr(magic, "resolve_model", resolve)
    for _ in range(2):
        assert "### Answer" in run_cell(shell, "%%fc --model some-spec\nWhat is 2 + 3?")
    assert loaded == ["some-spec"]


def test_a_sandboxed_session_keeps_state_from_cell_to_cell(shell: InteractiveShell) -> None:
    def double(x: int) -> int:
        """Twice x."""
        return 2 * x

    shell.user_ns.update(double=double, limits=Limits(timeout=5))
    assert run_cell(shell, "%fc_session -i sales -t double --limits limits") == ""
    with capture_output() as captured:
        shell.run_cell("%%fc_run\nimport os\nx = double(len(sales))\nprint(os.getcwd(), x)\nx + 1")
    assert captured.stdout.endswith("/workspace 6\nOut[0]: 7\n")  # the box's own folder, then the value
    run_cell(shell, "%%fc_run\nfinal_answer(x)")
    assert shell.user_ns["answer"] == 6
    with capture_output() as captured:
        shell.run_cell("%%fc_run\nimport subprocess\nsubprocess.run(['true'])")
    blocked = captured.stderr
    assert blocked.startswith("Blocked by policy:\nline 1:") and "'subprocess' is not allowed" in blocked
    with capture_output() as captured:
        shell.run_cell("%%fc_run\nprint(double(x), sales.revenue.sum())\n1 / 0")
    assert captured.stdout == "12 6\n" and "ZeroDivisionError" in captured.stderr


def test_session_errors_render_in_the_cell_and_a_bare_fc_run_opens_a_default(shell: InteractiveShell) -> None:
    shown = run_cell(shell, "%fc_session --limits sales")
    assert "### codecall error" in shown and "'sales' is a DataFrame, not a Limits" in shown
    assert "no notebook variable named 'nothing'" in run_cell(shell, "%fc_session -t nothing")
    shown = run_cell(shell, "%%fc_run\nprint('hello from the box')")
    assert "No `%fc_session` yet: opening a sandboxed session with the default policy" in shown
    assert "hello from the box" in shown
    for option in ("--backend", "--limits", "--policy", "--tool", "--input"):
        assert option in shell.find_line_magic("fc_session").__doc__
    assert "final_answer(x)" in shell.find_cell_magic("fc_run").__doc__


@pytest.mark.model
def test_example_notebook_runs_in_a_real_kernel(tmp_path: Path) -> None:
    notebook = nbformat.read(str(EXAMPLE), as_version=4)
    NotebookClient(notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                   ).execute()  # fmt: skip
    shown = {cell.source.splitlines()[0]: _shown(cell) for cell in notebook.cells if cell.cell_type == "code"}

    bundled = shown["%%fc -i sales -o run"]  # the small model's answer varies: check the structure
    assert "**Step 1**" in bundled and ("```python" in bundled or "answer in text" in bundled)
    assert "### Answer" in bundled or "### No answer (max_steps)" in bundled
    assert "SmolLM2" in bundled
    statuses = next(text for first, text in shown.items() if first.startswith("run.status"))
    assert any(status in statuses for status in ("'answered'", "'text'", "'max_steps'"))

    chart = shown["%%fc -i sales --model chart_model -o chart"]
    assert "<image/png>" in chart and "best region: west" in chart
    assert "### Answer" in chart and "<table" in chart  # the DataFrame answer, as a DataFrame
    answer = next(text for first, text in shown.items() if first.startswith("type(chart.answer)"))
    assert "('DataFrame', ['west', 'north', 'south', 'east'], 1)" in answer

    failing = shown["%%fc -i sales --model failing_model --max-steps 2 --hide-code"]
    assert failing.count("KeyError: 'profit'") == 2 and "No answer (max_steps)" in failing
    assert "```python" not in failing
    assert "no notebook variable named 'no_such_frame'" in shown["%%fc -i no_such_frame --model chart_model"]
    assert "**ModelError:**" in shown["%%fc --model /no/such/model"]
    assert "the kernel is still alive" in shown['print("the kernel is still alive")']
    assert not any(output.output_type == "error" for cell in notebook.cells for output in cell.get("outputs", []))


def _shown(cell: nbformat.NotebookNode) -> str:
    """A cell's outputs as text: Markdown, HTML or plain text, with a marker for each image."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("display_data", "execute_result"):
            data = output.data
            parts.append("<image/png>" if "image/png" in data else "")
            parts.append(data.get("text/markdown") or data.get("text/html") or data.get("text/plain", ""))
        else:
            parts.append(f"{output.ename}: {output.evalue}")
    return "\n".join(parts)
