"""The `codecall` commands: each turns its parsed arguments into calls of the library and prints what they
give; one run's outcome prints as its `RunRecord` (`--json`)."""

from __future__ import annotations

import argparse
import json
import sys

from codecall.events import Done
from codecall.result import RunRecord
from sandbox import Limits, Policy

MiB = 1024 * 1024


def limits_epilog() -> str:
    rows = [f"  {name:<16} {default!s:<12} {meaning}" for name, default, meaning in Limits.describe()]
    return "sandbox limits (defaults):\n" + "\n".join(rows)


def mcp_epilog() -> str:
    """`codecall mcp --help`'s closing part: what an MCP client's configuration holds, then the limits."""
    return """client configuration (Claude Desktop, Cursor, VS Code, ...: the "mcpServers" object):
  {"mcpServers": {"codecall": {"command": "codecall",
                               "args": ["mcp", "--tools", "/abs/path/tools.py", "--timeout", "30"]}}}
over HTTP: `codecall mcp --http 8000 --tools tools.py`, then the client's server URL is
  http://127.0.0.1:8000/mcp   ({"mcpServers": {"codecall": {"url": "http://127.0.0.1:8000/mcp"}}})

""" + limits_epilog()


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(timeout=args.timeout, memory=args.memory * MiB)


def print_record(record: RunRecord) -> None:
    """One run's record as one JSON line, flushed (a harness prints each as its run ends)."""
    print(json.dumps(record.to_json(), ensure_ascii=False), flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from codecall.interfaces.scripts import run_scripts

    def show(record: RunRecord) -> None:
        if args.json:
            print_record(record)
            return
        print(f"== {record.task}: {record.status} ({record.duration_s:.2f} s)")
        if record.stdout:
            print(record.stdout, end="" if record.stdout.endswith("\n") else "\n")
        if record.stderr:
            print("[stderr]\n" + record.stderr.rstrip("\n"))
        if record.error:
            print(f"[error] {record.error}")
        sys.stdout.flush()

    policy = Policy.off() if args.no_policy else Policy()
    quiet = args.output and not args.json  # the rows go to the results file; the summary to stderr
    summary = run_scripts(args.scripts, results_path=args.output, backend=args.backend, jobs=args.jobs,
                          executor=args.executor, ray_address=args.ray_address, progress=bool(args.output),
                          policy=policy, limits=limits_from(args), on_record=None if quiet else show)  # fmt: skip
    if args.output:
        print(f"codecall run: {summary}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_ask(args: argparse.Namespace) -> int:
    from codecall.agent import Agent, load_data
    from codecall.interfaces.view import StepPrinter, TokenEcho
    from codecall.models import resolve_model
    from codecall.tools import load_tools
    from sandbox import WarmPool

    tools = [t for path in args.tools for t in load_tools(path)]
    variables = load_data(args.data)
    printer = None if args.json else StepPrinter()
    if printer:
        printer.status(f"loading the model ({args.model or 'bundled SmolLM2-135M-Instruct'})")
    # the one session's sandbox starts while the model loads
    with WarmPool(args.backend, limits=limits_from(args), size=1, total=1) as pool:
        model = resolve_model(args.model, guide=not args.no_guide)
        with Agent(model, tools, sandbox=args.backend, pool=pool, max_steps=args.max_steps,
                   max_new_tokens=args.max_new_tokens, mcp=args.mcp) as agent:  # fmt: skip
            events = agent.stream(args.task, **variables)
            live = printer is not None and printer.console.is_terminal  # the printer shows the replies as written
            if args.stream or (sys.stderr.isatty() and not live):  # else they go to stderr as written
                events = map(TokenEcho(sys.stderr), events)
            result = printer.follow(events) if printer else next(e.result for e in events if isinstance(e, Done))
    if args.notebook:
        result.to_notebook(args.notebook, sandboxed=not args.notebook_unsandboxed)
    if args.json:
        timings = {"model_load_s": round(getattr(model, "load_s", 0.0), 3),
                   "first_token_s": round(result.steps[0].first_token_s, 3) if result.steps else None}  # fmt: skip
        print_record(RunRecord.from_result(result, **timings))
    else:
        printer.final(result, args.notebook)
    return 0 if result.succeeded else 1


def cmd_mcp(args: argparse.Namespace) -> int:
    from codecall.mcp.server import serve
    from codecall.tools import load_tools

    tools = [t for path in args.tools for t in load_tools(path)]
    serve(tools, mcp=args.mcp, port=args.http, host=args.host, backend=args.backend, limits=limits_from(args))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from codecall.interfaces.batch import run_batch

    summary = run_batch(args.tasks, args.output, jobs=args.jobs, executor=args.executor, ray_address=args.ray_address,
                        model=args.model, backend=args.backend, limits=limits_from(args), policy=Policy(),
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

    def show(outcome: RunRecord) -> None:
        if args.json:
            print_record(outcome)
            return
        mark = "right" if outcome.correct else "wrong"
        print(f"{mark} #{outcome.id:<4} {outcome.level:<6} pairs {outcome.pairs_right}/{outcome.pairs} "
              f"{outcome.status:<9} {outcome.duration_s:6.1f} s  {outcome.response[:70]!r}", flush=True)  # fmt: skip

    outcomes = dabench.evaluate(questions, model, data_dir=data_dir, jobs=args.jobs, backend=args.backend,
                                limits=limits_from(args), max_steps=args.max_steps, on_outcome=show)  # fmt: skip
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
    from sandbox import WarmPool

    tasks = evaluate.load_task_files(args.tasks, args.split)[: args.limit]
    by_file = {path: load_tools(path) for path in args.tools}
    tools = [t for found in by_file.values() for t in found]
    if args.per_process:  # each task a `codecall ask` process of its own: no model is loaded here
        files = {t.name: path for path, found in by_file.items() for t in found}
        common = ["--max-steps", str(args.max_steps), "--max-new-tokens", str(args.max_new_tokens),
                  "--backend", args.backend, *(["--model", args.model] if args.model else [])]  # fmt: skip
        modes: dict = {"guided": evaluate.PerProcess(files, common),
                       "plain": evaluate.PerProcess(files, [*common, "--no-guide"])}  # fmt: skip
    else:
        model = resolve_model(args.model)
        local = isinstance(model, Transformers)
        modes = {"guided": model, "plain": model.with_guide(False)} if local else {"plain": model}
    modes = {m: modes[m] for m in args.modes.split(",") if m in modes} or modes

    def progress(run: RunRecord) -> None:
        mark = "ok  " if run.correct else "FAIL"
        print(f"{mark} {run.mode:<7} {run.id:<14} {run.duration_s:5.1f} s  {run.answer!r:.60}", file=sys.stderr)

    with WarmPool(args.backend, limits=limits_from(args), size=1) as pool:
        runs = evaluate.run_eval(tasks, tools, modes, on_run=progress, pool=pool, max_steps=args.max_steps,
                                 max_new_tokens=args.max_new_tokens)  # fmt: skip
    summary = evaluate.summarize(runs)
    print(evaluate.report_json(runs, summary) if args.json else evaluate.format_summary(summary))
    return 0


def cmd_limits(args: argparse.Namespace) -> int:
    print(limits_epilog())
    return 0


