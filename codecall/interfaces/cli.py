"""The `codecall` command: its arguments, and its errors mapped to exit codes; the commands themselves,
a thin layer over the same API a Python user calls, are in `codecall.interfaces.commands`."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable

from codecall.agent import DEFAULT_MAX_NEW_TOKENS, DEFAULT_MAX_STEPS
from codecall.errors import CodecallError, InputError, ModelError, ToolDefinitionError
from codecall.evals.evaluate import EVAL_MAX_NEW_TOKENS, EVAL_MAX_STEPS
from codecall.interfaces import commands
from codecall.interfaces.commands import MiB, limits_epilog, mcp_epilog
from sandbox import Limits, SandboxError
from sandbox.boxes.docker import IMAGE_TAG
from sandbox.errors import BoxUnavailable


def _add_sandbox_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=["kernel", "fork", "docker"],
        default="kernel",
        help="the box: kernel = IPython kernel under bubblewrap, started cold (default; `run`: fork); fork = "
        "the same box, each session forked from a ready template; docker = a container",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=Limits.timeout,
        help=f"wall-time limit of one execution, seconds (default {Limits.timeout:g})",
    )
    parser.add_argument("--memory", type=int, default=Limits.memory // MiB,
                        help=f"memory limit of a session, MiB (default {Limits.memory // MiB})")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codecall",
        description="Function calling as code: a model writes Python that calls your tools; codecall checks "
        "it and runs it in an OS-level sandbox.",
        epilog=limits_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = subcommands.add_parser(
        "run", help="run Python scripts in the sandbox, each in a fresh session",
        description="Run each script under the full policy (checker + RestrictedPython) in a fresh sandbox "
        "session, N at a time; one result per script.", epilog=limits_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    run.add_argument("scripts", nargs="+", metavar="SCRIPT.py")
    run.add_argument("--json", action="store_true", help="print one JSON object per script, one a line")
    run.add_argument("-j", "--jobs", type=int, default=None, help="scripts run in parallel (default: twice the cores)")
    run.add_argument("-o", "--output", metavar="RESULTS.jsonl",
                     help="append one row per script to this file as it ends (fsynced; a rerun skips the scripts "
                     "it has, so an interrupted run resumes), show a progress bar, print only a summary")
    run.add_argument("--executor", choices=["local", "ray"], default="local",
                     help="local = threads in this process (default); ray = actors on a Ray cluster")
    run.add_argument("--ray-address", default=None, metavar="ADDR", help="as for `batch`")
    run.add_argument("--no-policy", action="store_true",
                     help="switch the checker and RestrictedPython off: the box alone holds")  # fmt: skip
    _add_sandbox_options(run)
    run.set_defaults(handler=commands.cmd_run, backend="fork")

    ask = subcommands.add_parser(
        "ask",
        help="solve a task: the model writes code that calls your tools, the sandbox runs it",
        description="Solve TASK with a model that writes Python calling your tools; each step's code runs "
        "in the sandbox and its output goes back to the model until it gives a final answer.",
        epilog=limits_epilog(),
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
    ask.add_argument("--mcp", action="append", default=[], metavar="'CMD ARGS'|URL",
                     help="an MCP server whose tools the code may call: a command line (stdio) or an http(s) URL "
                     "(streamable HTTP), optionally NAME=...; repeatable")  # fmt: skip
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
    ask.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS,
                     help=f"model turns before giving up (default {DEFAULT_MAX_STEPS})")  # fmt: skip
    ask.add_argument("--max-new-tokens", type=int, default=DEFAULT_MAX_NEW_TOKENS,
                     help=f"tokens per model turn at most (default {DEFAULT_MAX_NEW_TOKENS})")  # fmt: skip
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
        "--json", action="store_true",
        help="print the run's record as one JSON object: id, task, status, answer, error, steps, duration_s, "
        "tokens, model_load_s, first_token_s"
    )
    ask.add_argument("--stream", action="store_true",
                     help="write each reply to stderr as the model writes it (on a terminal the steps show it anyway)")
    _add_sandbox_options(ask)
    ask.set_defaults(handler=commands.cmd_ask)

    batch = subcommands.add_parser(
        "batch", help="run model tasks from a JSONL file in parallel, one result row each, resumable",
        description="Run each task of TASKS.jsonl (one JSON object a line: id, task, optional tools and data, "
        "paths relative to the file) and append one JSON row per input line to RESULTS.jsonl as it finishes: "
        "id (and line, for a bad input line), task, status, answer, error, steps, duration_s, tokens. A rerun "
        "skips what RESULTS.jsonl already has, so an interrupted batch resumes. Exits 1 when any row failed.",
        epilog=limits_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
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
    batch.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS,
                       help=f"model turns per task before giving up (default {DEFAULT_MAX_STEPS})")  # fmt: skip
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
    batch.set_defaults(handler=commands.cmd_batch)

    image = subcommands.add_parser("image", help="the docker backend's sandbox image")
    image_commands = image.add_subparsers(dest="image_command", required=True, metavar="ACTION")
    build = image_commands.add_parser(
        "build", help="build the sandbox image without a registry (Debian root via mmdebstrap + PyPI wheels)"
    )
    build.add_argument("--tag", default=IMAGE_TAG, help=f"image tag (default {IMAGE_TAG})")
    build.set_defaults(handler=commands.cmd_image_build)

    docker = subcommands.add_parser("docker", help="docker backend housekeeping")
    docker_commands = docker.add_subparsers(dest="docker_command", required=True, metavar="ACTION")
    clean = docker_commands.add_parser("clean", help="remove sandbox containers left by crashed codecall processes")
    clean.add_argument("--all", action="store_true", help="remove every codecall container, live sessions too")
    clean.set_defaults(handler=commands.cmd_docker_clean)

    bench = subcommands.add_parser(
        "dabench", help="evaluate a model on DABench's closed-form data-analysis questions, by level",
        description="Run a model on the DABench dev questions (each table given to the code as the DataFrame "
        "`df`) and score the @name[value] answers against the labels; the scoring rules are in "
        "codecall/evals/dabench.py.", epilog=limits_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
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
    bench.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS,
                       help=f"model turns per question (default {DEFAULT_MAX_STEPS})")  # fmt: skip
    bench.add_argument("-j", "--jobs", type=int, default=1,
                       help="questions at a time over a warm pool of sandboxes (a local model still generates "
                       "one at a time) (default 1)")  # fmt: skip
    bench.add_argument("--json", action="store_true", help="one JSON object per question, then the summary")
    _add_sandbox_options(bench)
    bench.set_defaults(handler=commands.cmd_dabench)

    ev = subcommands.add_parser(
        "eval", help="run an evaluation set of tool-calling tasks; success by category, guided and not",
        description="Run each task of TASKS.jsonl (id, task, expected, category, lang, tools, needs) with the "
        "model, guided and unguided for a local model, and report success by category and language with "
        "the time per task. Progress goes to stderr.", epilog=limits_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    ev.add_argument("tasks", nargs="+", metavar="TASKS.jsonl")
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
    ev.add_argument("--split", choices=["dev", "test"], help="only the tasks of this split (tune on dev, report test)")
    ev.add_argument("--per-process", action="store_true",
                    help="run each task as its own `codecall ask --json` process, as a user does (model load "
                    "included); durations are then wall time per process")  # fmt: skip
    ev.add_argument("--max-steps", type=int, default=EVAL_MAX_STEPS,
                    help=f"model turns per task (default {EVAL_MAX_STEPS})")  # fmt: skip
    ev.add_argument("--max-new-tokens", type=int, default=EVAL_MAX_NEW_TOKENS,
                    help=f"tokens per model turn (default {EVAL_MAX_NEW_TOKENS})")  # fmt: skip
    ev.add_argument("--json", action="store_true", help="print the summary and every run as one JSON object")
    _add_sandbox_options(ev)
    ev.set_defaults(handler=commands.cmd_eval)

    mcp = subcommands.add_parser(
        "mcp", help="serve run_python to MCP clients: code in a persistent sandboxed session per client",
        description="An MCP server (stdio, or streamable HTTP with --http) whose tool run_python runs code in "
        "a persistent sandboxed session of each client (stdout, the last value, errors, images and files come "
        "back as MCP content); that code may call the tools of --tools and of the --mcp servers.",
        epilog=mcp_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    mcp.add_argument("--tools", action="append", default=[], metavar="FILE.py",
                     help="a module whose tools the code may call (as for `ask`); repeatable")  # fmt: skip
    mcp.add_argument("--mcp", action="append", default=[], metavar="'CMD ARGS'|URL",
                     help="an MCP server whose tools the code may call (as for `ask`); repeatable")  # fmt: skip
    mcp.add_argument("--http", type=int, metavar="PORT",
                     help="serve streamable HTTP at http://HOST:PORT/mcp instead of stdio")  # fmt: skip
    mcp.add_argument("--host", default="127.0.0.1", help="the address --http listens on (default 127.0.0.1)")
    _add_sandbox_options(mcp)
    mcp.set_defaults(handler=commands.cmd_mcp)

    limits = subcommands.add_parser("limits", help="show the sandbox limits and their defaults")
    limits.set_defaults(handler=commands.cmd_limits)
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


def _warning_line(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
    """A warning (such as an MCP server that did not start) as one line on stderr, without its source line."""
    print(f"warning: {category.__name__}: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.showwarning = _warning_line
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
