"""The `%%fc` notebook magic: the cell is the task; each step shows as it runs, then the answer.

`%load_ext codecall` registers `%%fc` (run a task) and `%fc_config` (this notebook's defaults). The model
is loaded once per notebook and kept by its spec; every error is shown in the cell, never raised into the
user's kernel.

It also registers `%fc_session` (open this notebook's sandboxed session: a box, a policy, limits, notebook
functions as tools and notebook variables as data) and `%%fc_run` (run the cell's code in that session and
show what it produced): a trace notebook (`Result.to_notebook`) re-runs its steps with them.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from codecall.agent import DEFAULT_MAX_NEW_TOKENS, DEFAULT_MAX_STEPS, Agent
from codecall.interfaces.notebook_view import NotebookView, markdown, show_plainly
from codecall.models import Model, resolve_model
from sandbox import Limits, Policy, Session

BUNDLED = "bundled"  #: the model spec meaning the bundled SmolLM2-135M-Instruct


@dataclass
class FcConfig:
    """This notebook's defaults for `%%fc`: `%fc_config` changes them, a cell's options override them."""

    model: str = BUNDLED  #: a spec as `codecall ask --model` takes it, or the name of a notebook Model variable
    backend: str = "kernel"
    max_steps: int = DEFAULT_MAX_STEPS
    show_code: bool = True
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    timeout: float = Limits.timeout  #: wall time of one step's code, seconds


def _unquoted(text: str) -> str:
    """An option's value without the quotes IPython's argument parser keeps (`--mcp 'cmd args'`)."""
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"" else text


def _setting_arguments(function: Callable) -> Callable:
    """The options `%%fc` and `%fc_config` share; None means "not given" so defaults show through."""
    for decorator in (
        argument("--model", help=f"a model spec as `codecall ask --model` takes it, '{BUNDLED}' (the default: "
                 "SmolLM2-135M-Instruct), or the name of a notebook variable holding a codecall Model"),
        argument("--backend", choices=["kernel", "docker"], help="the sandbox box (default kernel)"),
        argument("--max-steps", type=int, help=f"model turns before giving up (default {DEFAULT_MAX_STEPS})"),
        argument("--show-code", dest="show_code", action="store_const", const=True, help="show each step's code"),
        argument("--hide-code", dest="show_code", action="store_const", const=False,
                 help="show only outputs and the answer"),
    ):  # fmt: skip
        function = decorator(function)
    return function


@magics_class
class FcMagics(Magics):
    """`%%fc` and `%fc_config`, with the notebook's defaults and its loaded models."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.defaults = FcConfig()
        self._models: dict[str, Model] = {}
        self._session: Session | None = None  #: the notebook's sandboxed session, for %%fc_run
        self._servers: Any = None  #: the MCP servers of that session (codecall.mcp.MCPServers), if any
        atexit.register(self._close_session)

    @magic_arguments(name="%fc")  # the usage line then reads %%fc, as the cell magic is written
    @argument("-i", "--input", action="append", default=[], metavar="VAR",
              help="a notebook variable (a DataFrame, a list, ...) to give to the code under its name; "
              "repeat it or separate names with commas")  # fmt: skip
    @argument("-t", "--tool", action="append", default=[], metavar="FUNC",
              help="a notebook function (typed, with a docstring) the code may call; repeatable")  # fmt: skip
    @argument("--mcp", action="append", default=[], metavar="'CMD ARGS'|URL",
              help="an MCP server whose tools the code may call: a command line (stdio) or an http(s) URL; "
              "started for this cell and stopped after it; repeatable")  # fmt: skip
    @argument("-o", "--output", metavar="NAME", help="bind the run's Result to NAME in the notebook")
    @argument("--notebook", metavar="PATH",
              help="also save the run's trace as a notebook that re-runs it in a sandboxed session")  # fmt: skip
    @argument("--notebook-unsandboxed", action="store_true",
              help="save it as plain cells instead, which run the model's code in the reader's own kernel")  # fmt: skip
    @_setting_arguments
    @cell_magic
    def fc(self, line: str, cell: str) -> None:
        """Solve the task written in this cell: a model writes Python, codecall's sandbox runs it.

        Each step shows as it runs (the code, its output and images), then the answer. Example:

            %%fc -i sales -o run
            Which region has the highest total revenue?
        """
        args = parse_argstring(self.fc, line)
        settings = self._settings(args)
        view = NotebookView(settings.show_code)
        try:
            names = [name.strip() for group in args.input for name in group.split(",") if name.strip()]
            variables = {name: self._variable(name) for name in names}
            tools = [self._variable(name) for name in args.tool]
            servers = [_unquoted(spec) for spec in args.mcp]
            with Agent(self._model(settings.model, view), tools, sandbox=settings.backend,
                       limits=Limits(timeout=settings.timeout), max_steps=settings.max_steps,
                       max_new_tokens=settings.max_new_tokens, mcp=servers) as agent:  # fmt: skip
                result = view.follow(agent.stream(cell.strip(), **variables))
            if args.notebook:
                result.to_notebook(args.notebook, sandboxed=not args.notebook_unsandboxed)
        except Exception as error:  # noqa: BLE001 - shown in the cell; the user's kernel must go on
            view.error(error)
            return
        if args.output:
            self.shell.user_ns[args.output] = result
        view.final(result, args.notebook)

    @magic_arguments()
    @argument("--max-new-tokens", type=int, help=f"tokens a model writes per step (default {DEFAULT_MAX_NEW_TOKENS})")
    @argument("--timeout", type=float, help=f"wall time of one step's code, seconds (default {Limits.timeout:g})")
    @_setting_arguments
    @line_magic
    def fc_config(self, line: str) -> None:
        """Set this notebook's defaults for %%fc (a cell's own options still win); with none, show them."""
        args = parse_argstring(self.fc_config, line)
        self.defaults = replace(self.defaults, **{k: v for k, v in vars(args).items() if v is not None})
        rows = "\n".join(f"| {name} | `{value}` |" for name, value in asdict(self.defaults).items())
        markdown(f"**%%fc defaults**\n\n| setting | value |\n|---|---|\n{rows}", repr(self.defaults))

    @magic_arguments()
    @argument("--backend", choices=["kernel", "docker"], help="the sandbox box (default: as %%fc_config says)")
    @argument("--limits", metavar="VAR", help="a notebook variable holding a sandbox.Limits (default: the "
              "default limits, with %%fc_config's timeout)")  # fmt: skip
    @argument("--policy", metavar="VAR", help="a notebook variable holding a sandbox.Policy (default: Policy())")
    @argument("-t", "--tool", action="append", default=[], metavar="FUNC",
              help="a notebook function the code may call (it runs here, on the host); repeatable")  # fmt: skip
    @argument("-i", "--input", action="append", default=[], metavar="VAR",
              help="a notebook variable to copy into the session under its name; repeatable")  # fmt: skip
    @argument("--mcp", action="append", default=[], metavar="'CMD ARGS'|URL",
              help="an MCP server whose tools the code may call; it runs as long as the session; repeatable")
    @line_magic
    def fc_session(self, line: str) -> None:
        """Open this notebook's sandboxed session (closing any earlier one); `%%fc_run` cells run in it."""
        args = parse_argstring(self.fc_session, line)
        try:
            limits = self._typed(args.limits, Limits) or Limits(timeout=self.defaults.timeout)
            policy = self._typed(args.policy, Policy) or Policy()
            tools = {name: self._variable(name) for name in args.tool}
            names = [name.strip() for group in args.input for name in group.split(",") if name.strip()]
            variables = {name: self._variable(name) for name in names}
            self._close_session()
            if args.mcp:
                from codecall.mcp import MCPServers

                self._servers = MCPServers(map(_unquoted, args.mcp), timeout=limits.timeout, taken=list(tools))
                tools.update((t.name, t) for t in self._servers.tools)
            self._session = Session(args.backend or self.defaults.backend, policy=policy, limits=limits, tools=tools)
            for name, value in variables.items():
                self._session.put(name, value)
        except Exception as error:  # noqa: BLE001 - shown in the cell; the user's kernel must go on
            NotebookView.error(error)

    @magic_arguments()
    @cell_magic
    def fc_run(self, line: str, cell: str) -> Any:
        """Run this cell's code in the notebook's sandboxed session (`%fc_session`; one with the defaults is
        opened if there is none): checked by the policy, run in the box, its state kept from cell to cell.

        Shows its stdout, stderr, images, errors and policy refusals; the value of its last expression comes
        back as its repr. `final_answer(x)` in the code binds `answer` in the notebook."""
        parse_argstring(self.fc_run, line)
        try:
            if self._session is None:
                markdown("*No `%fc_session` yet: opening a sandboxed session with the default policy and limits.*")
                self._session = Session(self.defaults.backend, limits=Limits(timeout=self.defaults.timeout))
            execution = self._session.execute(cell)
        except Exception as error:  # noqa: BLE001 - shown in the cell; the user's kernel must go on
            NotebookView.error(error)
            return None
        if execution.answered:
            self.shell.user_ns["answer"] = execution.answer
        return show_plainly(execution)

    def _close_session(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            session.close()
        if self._servers is not None:
            servers, self._servers = self._servers, None
            servers.close()

    def _typed(self, name: str | None, kind: type) -> Any:
        if name is None:
            return None
        value = self._variable(name)
        if not isinstance(value, kind):
            raise TypeError(f"{name!r} is a {type(value).__name__}, not a {kind.__name__}")
        return value

    def _settings(self, args: Any) -> FcConfig:
        given = {f.name: getattr(args, f.name) for f in fields(FcConfig) if getattr(args, f.name, None) is not None}
        return replace(self.defaults, **given)

    def _variable(self, name: str) -> Any:
        if name not in self.shell.user_ns:
            raise NameError(f"no notebook variable named {name!r}")
        return self.shell.user_ns[name]

    def _model(self, spec: str, view: NotebookView) -> Model:
        """A notebook Model variable as it is; else the model for `spec`, loaded once per notebook."""
        named = self.shell.user_ns.get(spec) if spec.isidentifier() else None
        if isinstance(named, Model):
            return named
        if spec not in self._models:
            shown = "SmolLM2-135M-Instruct" if spec == BUNDLED else spec
            view.status(f"loading the model ({shown}), once per notebook")
            self._models[spec] = resolve_model(None if spec == BUNDLED else spec)
        return self._models[spec]


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext codecall`."""
    ipython.register_magics(FcMagics(ipython))


def unload_ipython_extension(ipython: Any) -> None:
    """`%unload_ext codecall` (and `%reload_ext`): the notebook's sandboxed session closes."""
    magics = ipython.magics_manager.registry.get("FcMagics")
    if magics is not None:
        magics._close_session()
