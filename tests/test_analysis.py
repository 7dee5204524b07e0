"""Data analysis through the API and the CLI: data goes in under its name, drawn images come back as files and
displays, a DataFrame answer comes back as a DataFrame. The model is scripted (canned code, not a language model)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from codecall import Agent
from codecall.interfaces.cli import main
from codecall.models import Scripted

from .conftest import TEST_LIMITS

SALES = pd.DataFrame({"region": ["north", "south", "north", "east"], "revenue": [120, 95, 130, 70]})


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def test_images_come_back_as_files_and_displays_and_a_frame_as_a_frame() -> None:
    draw = "import matplotlib.pyplot as plt\nsales.groupby('region').revenue.sum().plot.bar()\nplt.show()"
    model = Scripted([fenced(draw), fenced("final_answer(sales.groupby('region').revenue.sum().to_frame())")])
    result = Agent(model, limits=TEST_LIMITS).run("Revenue by region, with a chart.", sales=SALES)

    assert result.status == "answered"
    (display,) = result.steps[0].execution.displays
    assert display.path and Path(display.path).read_bytes().startswith(b"\x89PNG")
    assert result.artifacts == [display.path]
    assert isinstance(result.answer, pd.DataFrame)
    pd.testing.assert_frame_equal(result.answer, SALES.groupby("region").revenue.sum().to_frame())


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("final_answer(sales.revenue)", SALES.revenue),
        ("final_answer(sales.revenue.to_numpy())", SALES.revenue.to_numpy()),
        ("final_answer((sales.revenue.max(), 'north'))", (130, "north")),
    ],
)
def test_other_answers_cross_as_themselves(code: str, expected: object) -> None:
    result = Agent(Scripted([fenced(code)]), limits=TEST_LIMITS).run("Answer.", sales=SALES)
    assert type(result.answer) is type(expected)
    if isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(result.answer, expected)
    else:
        assert repr(result.answer) == repr(expected)


def test_ask_with_a_data_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    SALES.to_csv(tmp_path / "sales.csv", index=False)
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([fenced("import matplotlib.pyplot as plt\nplt.plot(sales.revenue)\nplt.show()\n"
                                          "final_answer(int(sales.revenue.sum()))")]))  # fmt: skip
    trace = tmp_path / "run.ipynb"
    code = main(["ask", "What is the total revenue?", "--data", str(tmp_path / "sales.csv"), "--model",
                 f"scripted:{replies}", "--json", "--notebook", str(trace)])  # fmt: skip
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["answer"] == 415 and summary["status"] == "answered"
    notebook = nbformat.read(str(trace), as_version=4)
    assert any("image/png" in output.get("data", {}) for cell in notebook.cells for output in cell.get("outputs", []))
