"""DABench: the scorer's rules (unit), and the harness end to end through the real sandbox with the scripted
reference-code model (canned code, not a language model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codecall.errors import InputError
from codecall.evals import dabench
from codecall.interfaces.cli import main
from codecall.models import Scripted
from codecall.result import RunRecord

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "examples" / "dabench_reference.jsonl"
#: A subset of the DABench dev split shipped with the tests (23 questions over 4 tables, all levels), so these
#: tests run on any clone; the full set stays outside the repository (--data-dir or $CODECALL_DABENCH).
DATA = Path(__file__).resolve().parent / "data" / "dabench"


@pytest.mark.parametrize(
    ("response", "label", "right"),
    [
        ("34.65", "34.65", True),
        ("0.2", "0.20", True),  # equal as numbers
        ("36", "36.0", True),
        ("1.00", "1.0", True),
        ("-0.14", "-0.14", True),
        ("0.30000000000000004", "0.3", True),  # float noise of a printed value
        ("34.6512", "34.65", False),  # not rounded as the format states
        ("0.97", "1.0", False),  # a label with its trailing zero dropped is still 1.00
        ("34.64", "34.65", False),
        ("1.2e-05", "0.000012", True),
        ('"Yes"', "yes", True),  # quotes and case do not count
        ("Not Normal", '"not normal"', True),
        ("not normal", "normal", False),
        ("0.0, 1.0,0.0629", "0.00, 1.00, 0.0629", True),  # item by item
        ("0.0, 1.0", "0.00, 1.00, 0.0629", False),
        ("Kuwait,Saudi Arabia", "Kuwait, Saudi Arabia", True),
        ("", "", True),  # an empty list, as question 116's label has it
        ("NaN", "nan", True),
    ],
)
def test_values_match(response: str, label: str, right: bool) -> None:
    assert dabench.values_match(response, label) is right


def test_pairs_are_read_non_greedily_as_the_labels_were_made() -> None:
    assert dabench.parse_pairs("@a[1] and @b_2[x, y]\n@c[[]]") == [("a", "1"), ("b_2", "x, y"), ("c", "[")]
    assert dabench.score("@outlier_list[[]]", [("outlier_list", "[")]) == (1, 1)


def test_score_needs_every_labelled_pair_and_the_last_value_counts() -> None:
    answers = [("mean", "3.73"), ("standard_deviation", "1.54")]
    assert dabench.score("@mean[3.73] @standard_deviation[1.54] @extra[9]", answers) == (2, 2)
    assert dabench.score("@mean[3.73]", answers) == (1, 2)
    assert dabench.score("format: @mean[mean_value]; answer: @mean[3.73] @standard_deviation[1.54]", answers) == (2, 2)
    assert dabench.score("@mean[3.73] @mean[3.80] @standard_deviation[1.54]", answers) == (1, 2)
    assert dabench.score("The mean is 3.73 and the deviation 1.54.", answers) == (0, 2)


def test_a_name_labelled_twice_matches_as_a_multiset() -> None:
    answers = [("r", "0.38"), ("r", "0.78")]
    assert dabench.score("@r[0.78] @r[0.38]", answers) == (2, 2)
    assert dabench.score("@r[0.78] @r[0.78]", answers) == (1, 2)


def test_summary_by_level() -> None:
    def outcome(level: str, correct: bool) -> RunRecord:
        return RunRecord(0, "a question", "answered", "@x[1]" if correct else "", steps=1, duration_s=0.1,
                         extra={"level": level, "correct": correct, "pairs_right": int(correct), "pairs": 1,
                                "response": "@x[1]" if correct else ""})  # fmt: skip

    summary = dabench.summarize([outcome("easy", True), outcome("easy", False), outcome("hard", True)])
    assert summary["easy"] == {"questions": 2, "correct": 1, "accuracy": 0.5}
    assert summary["medium"] == {"questions": 0, "correct": 0, "accuracy": None}
    assert summary["overall"]["accuracy"] == round(2 / 3, 4) and summary["formatted"] == 2


def test_questions_load_with_their_labels_and_tables() -> None:
    questions = dabench.load_questions(DATA)
    assert len(questions) == 23 and {q.level for q in questions} == set(dabench.LEVELS)
    first = questions[0]
    assert first.answers == [("mean_fare", "34.65")] and "@mean_fare[" in first.task
    assert len(dabench.load_table(DATA, first.file_name)) == 715
    spread = dabench.select(questions, sample=5)  # evenly over the file: many tables, all levels
    assert [q.id for q in spread] == [0, 8, 59, 117, 723] and {q.level for q in spread} == set(dabench.LEVELS)
    assert [q.id for q in dabench.select(questions, level="hard", limit=2)] == [7, 118]


def test_reference_code_scores_through_the_real_sandbox() -> None:
    questions = dabench.select(dabench.load_questions(DATA), ids=[0, 6, 56, 117, 722])
    model = dabench.reference_model(dabench.load_reference(REFERENCE), questions)
    outcomes = dabench.evaluate(questions, model, data_dir=DATA, jobs=2)
    assert [o.id for o in outcomes] == [0, 6, 56, 117, 722]
    assert all(o.correct and o.status == "answered" for o in outcomes), outcomes


def test_a_wrong_or_unformatted_answer_scores_zero() -> None:
    (question,) = dabench.select(dabench.load_questions(DATA), ids=[0])
    wrong = Scripted(["```python\nfinal_answer(f\"@mean_fare[{df['Fare'].median():.2f}]\")\n```"])
    (outcome,) = dabench.evaluate([question], wrong, data_dir=DATA)
    assert not outcome.correct and outcome.pairs_right == 0 and outcome.response.startswith("@mean_fare[")
    unrounded = Scripted(["```python\nfinal_answer(str(df['Fare'].mean()))\n```"])  # a text: not rounded
    (outcome,) = dabench.evaluate([question], unrounded, data_dir=DATA)
    assert outcome.response.startswith("@mean_fare[34.6459") and not outcome.correct


def test_a_bare_answer_is_put_in_the_format_by_the_engine() -> None:
    (question,) = dabench.select(dabench.load_questions(DATA), ids=[0])
    bare = Scripted(["```python\nfinal_answer(df['Fare'].mean())\n```"])  # "rounded to two decimal places"
    (outcome,) = dabench.evaluate([question], bare, data_dir=DATA)
    assert outcome.response == "@mean_fare[34.65]" and outcome.correct


def test_each_field_is_rounded_as_the_format_says_of_it() -> None:
    said = '@r[r_value] @p[p_value] where "r_value" is rounded to two decimal places, "p_value" to four decimal places.'
    assert dabench.format_answer((0.123456, 0.000123456), said) == "@r[0.12] @p[0.0001]"
    once = "@a[x] @b[y], both rounded to three decimal places."
    assert dabench.format_answer([1.23456, 2.5], once) == "@a[1.235] @b[2.5]"


def test_cli_reference_run_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dabench", "--reference", str(REFERENCE), "--data-dir", str(DATA), "--ids", "0,5,118", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(row["id"] for row in rows[:-1]) == [0, 5, 118] and all(row["correct"] for row in rows[:-1])
    core = {"id", "task", "status", "answer", "error", "steps", "duration_s", "tokens"}
    assert all(core | {"level", "correct", "pairs_right", "pairs", "response"} <= set(row) for row in rows[:-1])
    assert RunRecord.from_json(rows[0]).to_json() == rows[0] and RunRecord.from_json(rows[0]).correct
    summary = rows[-1]["summary"]
    assert summary["overall"] == {"questions": 3, "correct": 3, "accuracy": 1.0}
    assert summary["easy"]["questions"] == 1 and summary["hard"]["questions"] == 1


# -- the dev/test split ---------------------------------------------------------------------------
def split_file() -> dict:
    return json.loads(dabench.SPLIT_FILE.read_text(encoding="utf-8"))


def test_the_split_halves_every_level_of_the_full_set() -> None:
    halves = split_file()
    counts = {name: {level: len(halves[name][level]) for level in dabench.LEVELS} for name in dabench.SPLITS}
    assert counts == {"dev": {"easy": 41, "medium": 43, "hard": 44}, "test": {"easy": 41, "medium": 44, "hard": 44}}
    dev, test = dabench.load_split("dev"), dabench.load_split("test")
    assert len(dev) == 128 and len(test) == 129 and not dev & test  # the full set's 257 questions, once each


def test_the_committed_split_is_what_make_split_gives() -> None:
    halves = split_file()
    pairs = [(i, level) for name in dabench.SPLITS for level, ids in halves[name].items() for i in ids]
    assert dabench.make_split(sorted(pairs)) == {name: halves[name] for name in dabench.SPLITS}
    assert dabench.make_split(reversed(pairs)) == dabench.make_split(pairs)  # blind to the order given
    shipped = dabench.load_questions(DATA)  # the shipped questions sit in the half of their own level
    assert all(q.id in halves["dev"][q.level] + halves["test"][q.level] for q in shipped)
    with pytest.raises(InputError, match="unknown split"):
        dabench.load_split("train")


def test_cli_runs_one_half(capsys: pytest.CaptureFixture[str]) -> None:
    test_half = dabench.load_split("test")
    assert main(["dabench", "--reference", str(REFERENCE), "--data-dir", str(DATA), "--split", "test",
                 "--level", "easy", "--json"]) == 0  # fmt: skip
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    ids = sorted(row["id"] for row in rows[:-1])
    shipped_easy = [q.id for q in dabench.load_questions(DATA) if q.level == "easy"]
    reference = dabench.load_reference(REFERENCE)
    assert ids == [i for i in shipped_easy if i in test_half and i in reference] and ids
    assert all(row["correct"] for row in rows[:-1])
