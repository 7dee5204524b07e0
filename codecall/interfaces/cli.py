"""The `codecall` command: a thin layer over the same API a Python user calls."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from codecall.errors import CodecallError, InputError, ModelError, ToolDefinitionError
from sandbox.boxes.docker import IMAGE_TAG
from sandbox.errors import BoxUnavailable, SandboxError
from sandbox.limits import Limits
from sandbox.policy import Policy

MiB = 1024 * 1024


def _limits_epilog() -> str:
    rows = [f"  {name:<16} {default!s:<12} {meaning}" for name, default, meaning in Limits.describe()]
    return "sandbox limits (defaults):\n" + "\n".join(rows)


def _add_sandbox_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=["kernel", "docker"],
        default="kernel",
        help="the box: kernel = IPython kernel under bubblewrap (default); docker = a container",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=Limits.timeout,
        help=f"wall-time limit of one execution, seconds (default {Limits.timeout:g})",
    )
    parser.add_argument("--memory", type=int, default=Limits.memory // MiB,
                        help=f"memory limit of a session, MiB (default {Limits.memory // MiB})")  # fmt: skip


def _limits_from(args: argparse.Namespace) -> Limits:
    return Limits(timeout=args.timeout, memory=args.memory * MiB)


def cmd_run(args: argparse.Namespace) -> int:
    from codecall.interfaces.scripts import run_scripts

    policy = Policy.off() if args.no_policy else Policy()
    failed = 0
    for result in run_scripts(args.scripts, backend=args.backend, jobs=args.jobs, policy=policy,
                              limits=_limits_from(args)):  # fmt: skip
        failed += result.status != "ok"
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
            continue
        print(f"== {result.script}: {result.status} ({result.duration_s:.2f} s)")
        if result.stdout:
            print(result.stdout, end="" if result.stdout.endswith("\n") else "\n")
        if result.stderr:
            print("[stderr]\n" + result.stderr.rstrip("\n"))
        if result.error:
            print(f"[error] {result.error}")
        sys.stdout.flush()
    return 1 if failed else 0


def cmd_ask(args: argparse.Namespace) -> int:
    from codecall.agent import Agent, load_data
    from codecall.interfaces.view import StepPrinter
    from codecall.models import resolve_model
    from codecall.tools import load_tools

    tools = [t for path in args.tools for t in load_tools(path)]
    variables = load_data(args.data)
    printer = None if args.json else StepPrinter()
    if printer:
        printer.status(f"loading the model ({args.model or 'bundled SmolLM2-135M-Instruct'})")
    model = resolve_model(args.model, guide=not args.no_guide)
    agent = Agent(model, tools, sandbox=args.backend, limits=_limits_from(args), max_steps=args.max_steps)
    result = agent.run(args.task, on_step=printer.step if printer else None, **variables)
    if args.notebook:
        result.to_notebook(args.notebook, sandboxed=not args.notebook_unsandboxed)
    if args.json:
        summary = {
            "answer": result.to_json()["answer"],
            "status": result.status,
            "steps": len(result.steps),
            "duration_s": round(result.duration_s, 3),
            "error": result.error,
            "tokens": result.tokens,
        }
        print(json.dumps(summary, ensure_ascii=False))
    else:
        printer.final(result, args.notebook)
    return 0 if result.status in ("answered", "text") else 1


def cmd_batch(args: argparse.Namespace) -> int:
    from codecall.interfaces.batch import run_batch

    summary = run_batch(args.tasks, args.output, jobs=args.jobs, executor=args.executor, ray_address=args.ray_address,
                        model=args.model, backend=args.backend, limits=_limits_from(args), policy=Policy(),
                        max_steps=args.max_steps)  # fmt: skip
    print(f"codecall batch: {summary}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_image_build(args: argparse.Namespace) -> int:
    from sandbox.boxes.image import build_image

    image = build_image(args.tag, progress=lambda line: print(f"image: {line}", file=sys.stderr))
    print(image)
    return 0


def cmd_docker_clean(args: argparse.Namespace) -> int:
    from sandbox.boxes.docker import remove_leftovers

    print(f"removed {remove_leftovers(everything=args.all)} leftover container(s)")
    return 0


def cmd_dabench(args: argparse.Namespace) -> int:
    from codecall.evals import dabench
    from codecall.models import resolve_model

    data_dir = dabench.data_folder(args.data_dir)
    questions = dabench.load_questions(data_dir)
    if args.split:
        half = dabench.load_split(args.split)
        questions = [q for q in questions if q.id in half]
    if args.reference:
        code = dabench.load_reference(args.reference)
        questions = [q for q in questions if q.id in code]
        model = dabench.reference_model(code, questions)
    else:
        model = resolve_model(args.model)
    ids = [int(i) for i in args.ids.split(",")] if args.ids else []
    questions = dabench.select(questions, ids=ids, level=args.level, limit=args.limit, sample=args.sample)

    def show(outcome: dabench.Outcome) -> None:
        if args.json:
            print(json.dumps(dabench.outcome_json(outcome), ensure_ascii=False), flush=True)
            return
        mark = "right" if outcome.correct else "wrong"
        print(f"{mark} #{outcome.id:<4} {outcome.level:<6} pairs {outcome.pairs_right}/{outcome.pairs} "
              f"{outcome.status:<9} {outcome.duration_s:6.1f} s  {outcome.response[:70]!r}", flush=True)  # fmt: skip

    outcomes = dabench.evaluate(questions, model, data_dir=data_dir, jobs=args.jobs, backend=args.backend,
                                limits=_limits_from(args), max_steps=args.max_steps, on_outcome=show)  # fmt: skip
    summary = dabench.summarize(outcomes)
    if args.json:
        print(json.dumps({"summary": summary, "model": model.name}), flush=True)
        return 0
    title = f"DABench dev ({args.split} half)" if args.split else "DABench dev"
    print(f"\n{title}, model {model.name}: accuracy (a question is right when all its @name[value] are)")
    for group in (*dabench.LEVELS, "overall"):
        row = summary[group]
        accuracy = "-" if row["accuracy"] is None else f"{row['accuracy']:.1%}"
        print(f"  {group:<8} {row['correct']:>4}/{row['questions']:<4} {accuracy}")
    print(f"  answer pairs right: {summary['pair_accuracy']:.1%}; answers with any @name[value]: "
          f"{summary['formatted']}/{len(outcomes)}; statuses: {summary['statuses']}")  # fmt: skip
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from codecall.evals import evaluate
    from codecall.models import Transformers, resolve_model
    from codecall.tools import load_tools
    from sandbox.host.pool import WarmPool

    tasks = evaluate.load_tasks(args.tasks)[: args.limit]
    tools = [t for path in args.tools for t in load_tools(path)]
    model = resolve_model(args.model)
    modes = {"guided": model, "plain": model.with_guide(False)} if isinstance(model, Transformers) else {"plain": model}
    modes = {m: modes[m] for m in args.modes.split(",") if m in modes} or modes

    def progress(run: evaluate.TaskRun) -> None:
        mark = "ok  " if run.ok else "FAIL"
        print(f"{mark} {run.mode:<7} {run.id:<14} {run.duration_s:5.1f} s  {run.answer!r:.60}", file=sys.stderr)

    with WarmPool(args.backend, limits=_limits_from(args), size=1) as pool:
        runs = evaluate.run_eval(tasks, tools, modes, on_run=progress, pool=pool, max_steps=args.max_steps,
                                 max_new_tokens=args.max_new_tokens)  # fmt: skip
    summary = evaluate.summarize(runs)
    print(evaluate.report_json(runs, summary) if args.json else evaluate.format_summary(summary))
    return 0


def cmd_limits(args: argparse.Namespace) -> int:
    print(_limits_epilog())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codecall",
        description="Function calling as code: a model writes Python that calls your tools; codecall checks "
        "it and runs it in an OS-level sandbox.",
        epilog=_limits_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run Python scripts in the sandbox, each in a fresh session",
        description="Run each script under the full policy (checker + RestrictedPython) in a fresh sandbox "
        "session, N at a time; one result per script.", epilog=_limits_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    run.add_argument("scripts", nargs="+", metavar="SCRIPT.py")
    run.add_argument("--json", action="store_true", help="print one JSON object per script, one a line")
    run.add_argument("-j", "--jobs", type=int, default=1, help="scripts run in parallel (default 1)")
    run.add_argument("--no-policy", action="store_true",
                     help="switch the checker and RestrictedPython off: the box alone holds")  # fmt: skip
    _add_sandbox_options(run)
    run.set_defaults(handler=cmd_run)

    ask = commands.add_parser(
        "ask",
        help="solve a task: the model writes code that calls your tools, the sandbox runs it",
        description="Solve TASK with a model that writes Python calling your tools; each step's code runs "
        "in the sandbox and its output goes back to the model until it gives a final answer.",
        epilog=_limits_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ask.add_argument("task", metavar="TASK")
    ask.add_argument(
        "--tools",
        action="append",
        default=[],
        metavar="FILE.py",
        help="a module whose @codecall.tool functions (or, with none, public functions) are the tools",
    )
    ask.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="FILE.csv",
        help="a data file (csv, tsv, json, parquet, xlsx) given to the code as a DataFrame named after it",
    )
    ask.add_argument(
        "--model",
        default=None,
        metavar="PATH|URL",
        help="a local transformers model folder, or http(s)://host/v1#model for an OpenAI-compatible "
        "server (default: the bundled SmolLM2-135M-Instruct)",
    )
    ask.add_argument("--max-steps", type=int, default=5, help="model turns before giving up (default 5)")
    ask.add_argument(
        "--no-guide",
        action="store_true",
        help="let a local model write freely: no guided decoding (on by default for local models)",
    )
    ask.add_argument("--notebook", metavar="OUT.ipynb",
                     help="write the run as a notebook that re-runs it in a sandboxed session")  # fmt: skip
    ask.add_argument("--notebook-unsandboxed", action="store_true",
                     help="write that notebook as plain cells instead: they run the model's code in the "
                     "reader's own kernel, outside the sandbox")  # fmt: skip
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object: answer, status, steps, duration_s, error, tokens"
    )
    _add_sandbox_options(ask)
    ask.set_defaults(handler=cmd_ask)

    batch = commands.add_parser(
        "batch", help="run model tasks from a JSONL file in parallel, one result row each, resumable",
        description="Run each task of TASKS.jsonl (one JSON object a line: id, task, optional tools and data, "
        "paths relative to the file) and append one JSON row per input line to RESULTS.jsonl as it finishes: "
        "id (or line, for a bad input line), status, answer, error, steps, duration_s. A rerun skips what "
        "RESULTS.jsonl already has, so an interrupted batch resumes. Exits 1 when any row failed.",
        epilog=_limits_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    batch.add_argument("tasks", metavar="TASKS.jsonl")
    batch.add_argument("-o", "--output", required=True, metavar="RESULTS.jsonl", help="results, appended to")
    batch.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        help="tasks run in parallel: threads sharing one model (local), or Ray actors, at most one "
        "per cluster CPU (default 1)",
    )
    batch.add_argument(
        "--model",
        default=None,
        metavar="SPEC",
        help="as for `ask`, or scripted:FILE.json for canned replies (default: the bundled model)",
    )
    batch.add_argument("--max-steps", type=int, default=5, help="model turns per task before giving up (default 5)")
    batch.add_argument(
        "--executor",
        choices=["local", "ray"],
        default="local",
        help="local = threads in this process (default); ray = actors on a Ray cluster",
    )
    batch.add_argument(
        "--ray-address",
        default=None,
        metavar="ADDR",
        help="the Ray cluster to join (ray://HOST:10001, HOST:6379 or auto); default: start a local one",
    )
    _add_sandbox_options(batch)
    batch.set_defaults(handler=cmd_batch)

    image = commands.add_parser("image", help="the docker backend's sandbox image")
    image_commands = image.add_subparsers(dest="image_command", required=True, metavar="ACTION")
    build = image_commands.add_parser(
        "build", help="build the sandbox image without a registry (Debian root via mmdebstrap + PyPI wheels)"
    )
    build.add_argument("--tag", default=IMAGE_TAG, help=f"image tag (default {IMAGE_TAG})")
    build.set_defaults(handler=cmd_image_build)

    docker = commands.add_parser("docker", help="docker backend housekeeping")
    docker_commands = docker.add_subparsers(dest="docker_command", required=True, metavar="ACTION")
    clean = docker_commands.add_parser("clean", help="remove sandbox containers left by crashed codecall processes")
    clean.add_argument("--all", action="store_true", help="remove every codecall container, live sessions too")
    clean.set_defaults(handler=cmd_docker_clean)

    bench = commands.add_parser(
        "dabench", help="evaluate a model on DABench's closed-form data-analysis questions, by level",
        description="Run a model on the DABench dev questions (each table given to the code as the DataFrame "
        "`df`) and score the @name[value] answers against the labels; the scoring rules are in "
        "codecall/dabench.py.", epilog=_limits_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    bench.add_argument("--model", default=None, metavar="SPEC", help="as for `ask` (default: the bundled model)")
    bench.add_argument("--reference", metavar="FILE.jsonl",
                       help="instead of a model, run the reference code in FILE ({id, code} a line) on its "
                       "questions: a scripted model that shows what the pipeline scores")  # fmt: skip
    bench.add_argument(
        "--data-dir", metavar="DIR",
        help="the DABench data folder (default: $CODECALL_DABENCH; a small subset is in tests/data/dabench)",
    )
    bench.add_argument("--limit", type=int, default=0, metavar="N", help="only the first N questions")
    bench.add_argument("--sample", type=int, default=0, metavar="N",
                       help="N questions spread evenly over the file (many tables, all levels)")  # fmt: skip
    bench.add_argument("--ids", metavar="ID,ID,...", help="only these question ids")
    bench.add_argument("--level", choices=["easy", "medium", "hard"], help="only this level")
    bench.add_argument("--split", choices=["dev", "test"],
                       help="only this half of the questions (examples/dabench_split.json: halved by level; "
                       "tune on dev, report test)")  # fmt: skip
    bench.add_argument("--max-steps", type=int, default=5, help="model turns per question (default 5)")
    bench.add_argument("-j", "--jobs", type=int, default=1,
                       help="questions at a time over a warm pool of sandboxes (a local model still generates "
                       "one at a time) (default 1)")  # fmt: skip
    bench.add_argument("--json", action="store_true", help="one JSON object per question, then the summary")
    _add_sandbox_options(bench)
    bench.set_defaults(handler=cmd_dabench)

    ev = commands.add_parser(
        "eval", help="run an evaluation set of tool-calling tasks; success by category, guided and not",
        description="Run each task of TASKS.jsonl (id, task, expected, category, lang, tools, needs) with the "
        "model, guided and unguided for a local model, and report success by category and language with "
        "the time per task. Progress goes to stderr.", epilog=_limits_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    ev.add_argument("tasks", metavar="TASKS.jsonl")
    ev.add_argument(
        "--tools",
        action="append",
        default=[],
        required=True,
        metavar="FILE.py",
        help="the module(s) whose tools the tasks name",
    )
    ev.add_argument("--model", default=None, metavar="PATH|URL", help="as for `ask` (default: the bundled model)")
    ev.add_argument(
        "--modes", default="guided,plain", help="comma-separated: guided, plain (default both; a server is plain only)"
    )
    ev.add_argument("--limit", type=int, default=None, metavar="N", help="run only the first N tasks")
    ev.add_argument("--max-steps", type=int, default=3, help="model turns per task (default 3)")
    ev.add_argument("--max-new-tokens", type=int, default=200, help="tokens per model turn (default 200)")
    ev.add_argument("--json", action="store_true", help="print the summary and every run as one JSON object")
    _add_sandbox_options(ev)
    ev.set_defaults(handler=cmd_eval)

    limits = commands.add_parser("limits", help="show the sandbox limits and their defaults")
    limits.set_defaults(handler=cmd_limits)
    return parser


#: Exit codes by the kind of error (the most specific class that matches wins); 1 is a run that failed.
EXIT_CODES: dict[type[Exception], int] = {
    CodecallError: 2, InputError: 2, ToolDefinitionError: 2, ModelError: 3, SandboxError: 4, BoxUnavailable: 5,
}


def exit_code(error: Exception) -> int | None:
    """The exit code for `error`, or None for an exception of neither tree (a bug: it is shown in full)."""
    for kind in type(error).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (CodecallError, SandboxError) as error:  # one clear line instead of a traceback
        print(f"codecall: {error}", file=sys.stderr)
        return exit_code(error) or 2


if __name__ == "__main__":
    sys.exit(main())
