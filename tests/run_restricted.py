"""Run one script through the policy layers in this process: the helper the corpus tests spawn.

    python tests/run_restricted.py [--mode restricted|plain] [--define NAME=VALUE ...] SCRIPT.py

`restricted` compiles with `compile_cell` under the default policy and runs in `make_user_globals`;
`plain` compiles the same way with the policy off and runs in an ordinary globals dict (so the two
differ only by the policy). The script's own stdout is passed through; one JSON line on stderr,
prefixed with REPORT_PREFIX, reports the outcome (rejected, error, refusals), so a test can say which
layer stopped a script. `--define` substitutes placeholders (`__SECRET_PATH__`, ...) in the source.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sandbox.errors import PolicyRejected, PolicyViolationError  # noqa: E402
from sandbox.policy import (  # noqa: E402
    DEFAULT_POLICY,
    Policy,
    guards,  # noqa: E402
)
from sandbox.policy.restrict import compile_cell  # noqa: E402

REPORT_PREFIX = "@@run_restricted@@ "


def substitute(source: str, defines: dict[str, str]) -> str:
    for name, value in defines.items():
        source = source.replace(name, value)
    return source


def run_source(source: str, mode: str = "restricted", filename: str = "<cell>") -> dict[str, Any]:
    """Compile and run `source`; returns the report (never raises for the script's own errors)."""
    policy = DEFAULT_POLICY if mode == "restricted" else Policy.off()
    report: dict[str, Any] = {"mode": mode, "rejected": None, "error": None, "refusals": []}
    try:
        cell = compile_cell(source, policy, filename)
    except PolicyRejected as err:
        report["rejected"] = [f"{v.rule}: {v}" for v in err.violations]
        return report
    refusals: list[tuple[str, str]] = []
    user_globals = guards.make_user_globals(policy, refusals) if policy.restrict else {"__name__": "__main__"}
    try:
        exec(cell.body, user_globals)
        if cell.last is not None:
            eval(cell.last, user_globals)
    except BaseException as err:  # report everything, SystemExit included
        report["error"] = f"{type(err).__name__}: {err}"
        report["policy_error"] = isinstance(err, PolicyViolationError)
        traceback.print_exc()
    finally:
        sys.stdout.flush()
    report["refusals"] = [list(r) for r in refusals]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("script")
    parser.add_argument("--mode", choices=["restricted", "plain"], default="restricted")
    parser.add_argument("--define", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    defines = dict(d.split("=", 1) for d in args.define)
    source = substitute(Path(args.script).read_text(), defines)
    report = run_source(source, args.mode, args.script)
    print(REPORT_PREFIX + json.dumps(report), file=sys.stderr)
    return 0 if not (report["rejected"] or report["error"]) else 1


if __name__ == "__main__":
    sys.exit(main())
