"""The in-sandbox runtime: runs checked, restricted cells in their own globals and reports on them.

It lives in the kernel's namespace as `_codecall_`; user code runs in `self.namespace`, a separate dict
that holds only the user's variables, the guards and the tool stubs, so the runtime's internals are not
reachable from it. Each call reports back through one display_data message of RESULT_MIME.
"""

from __future__ import annotations

import builtins
import inspect
import json
import socket
import sys
import threading
import traceback
from typing import Any

from sandbox.errors import PolicyRejected, ToolCallError
from sandbox.inside import wire
from sandbox.inside.wire import RESULT_MIME
from sandbox.policy import Policy

CELL_FILENAME = "<cell>"
VALUE_REPR_LIMIT = 10_000
REFUSALS_KEPT = 20
RICH_REPRS = ("_repr_html_", "_repr_png_", "_repr_svg_", "_repr_markdown_", "_repr_latex_", "_repr_mimebundle_")


class FinalAnswer(BaseException):
    """Raised by final_answer(); a BaseException so `except Exception` in user code can't swallow it."""


class Runtime:
    def __init__(self, policy: dict, bridge_path: str | None, work_dir: str) -> None:
        self.policy = Policy.from_json(policy)
        self.bridge_path = bridge_path
        self.work_dir = work_dir
        self._bridge: socket.socket | None = None
        self._bridge_lock = threading.Lock()
        self._answer: tuple[bool, Any] = (False, None)
        self._refusals: list[tuple[str, str]] = []  # the guards' log of run-time refusals (rule, message)
        self.namespace = self._fresh_namespace()

    # -- namespaces -------------------------------------------------------------------------------
    def _fresh_namespace(self) -> dict:
        if self.policy.restrict:
            from sandbox.policy.guards import make_user_globals

            namespace = make_user_globals(self.policy, self._refusals)
        else:
            namespace = {"__builtins__": dict(vars(builtins)), "__name__": "__main__"}
        namespace["__builtins__"]["final_answer"] = self._make_final_answer()
        namespace["__builtins__"]["ToolCallError"] = ToolCallError
        return namespace

    def _make_final_answer(self):
        record = self._record_answer

        def final_answer(answer: Any) -> None:
            """Give the final answer and end this step."""
            record(answer)
            raise FinalAnswer()

        return final_answer

    def _record_answer(self, answer: Any) -> None:
        self._answer = (True, answer)

    # -- running a cell ---------------------------------------------------------------------------
    def run(self, code: str) -> None:
        """Compile `code` under the policy, run it, and publish what happened."""
        from sandbox.policy.restrict import compile_cell

        self._answer = (False, None)
        refusals = self._refusals  # kept per cell, so the host learns of refusals the code caught
        refusals.clear()
        result: dict[str, Any] = {"status": "ok"}
        try:
            cell = compile_cell(code, self.policy, filename=CELL_FILENAME)
        except PolicyRejected as rejected:
            result["status"] = "blocked"
            result["violations"] = [vars(v) for v in rejected.violations]
            self._publish(result)
            return
        try:
            exec(cell.body, self.namespace)
            if cell.last is not None:
                value = eval(cell.last, self.namespace)
                if value is not None:
                    self._describe_value(value, result)
        except FinalAnswer:
            pass
        except SystemExit as exit_:  # sys.exit() ends the program: an error only with a failure code
            if exit_.code not in (None, 0):
                result["status"] = "error"
                result["error"] = self._error_info(exit_, f"the code exited with status {exit_.code!r}")
        except BaseException as error:  # noqa: BLE001 - user code may raise anything; the host knows a timeout
            result["status"] = "error"
            result["error"] = self._error_info(error)
        self._flush_figures()
        if refusals:
            result["refusals"] = [f"{message} [policy rule: {rule}]" for rule, message in refusals[:REFUSALS_KEPT]]
        answered, answer = self._answer
        if answered:
            result["answered"] = True
            result["answer"] = _encoded_answer(answer)
        self._publish(result)

    @staticmethod
    def _flush_figures() -> None:
        """Show the figures the code drew. Cells run silent (one message fewer per round trip), which
        skips IPython's post-execute hooks, so the inline backend's flush is called here."""
        if "matplotlib.pyplot" in sys.modules:
            from matplotlib_inline.backend_inline import flush_figures

            flush_figures()

    def _describe_value(self, value: Any, result: dict) -> None:
        result["value_repr"] = _safe_repr(value)
        result["value"] = _jsonable(value)
        if any(hasattr(type(value), name) for name in RICH_REPRS) or _is_figure(value):
            from IPython.display import display

            display(value)

    def _error_info(self, error: BaseException, message: str | None = None) -> dict:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == CELL_FILENAME]
        lines = ["Traceback (most recent call last):"]
        for frame in frames:
            where = f"  line {frame.lineno}, in {frame.name if frame.name != '<module>' else 'your code'}"
            lines.append(where + (f"\n    {frame.line}" if frame.line else ""))
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        lines.append(text)
        if isinstance(error, SyntaxError) and error.lineno and not frames:
            line = error.lineno
        else:
            line = frames[-1].lineno if frames else None
        return {
            "type": type(error).__name__,
            "message": message or str(error),
            "traceback": "\n".join(lines),
            "line": line,
        }

    def _publish(self, result: dict) -> None:
        from IPython.display import publish_display_data

        publish_display_data({RESULT_MIME: result})  # the kernel flushes stdout/stderr before going idle

    # -- data in and out --------------------------------------------------------------------------
    def put(self, name: str, path: str) -> None:
        """Bind `name` to the value encoded in the file at `path` (written by the host)."""
        with open(path, "rb") as f:
            self.namespace[name] = wire.loads(f.read())
        self._publish({"status": "ok"})

    def get(self, name: str) -> None:
        """Publish the encoded value of `name`."""
        if name not in self.namespace:
            self._publish({"status": "error", "error": {"type": "NameError", "message": f"{name!r} is not defined"}})
            return
        try:
            self._publish({"status": "ok", "encoded": wire.encode(self.namespace[name])})
        except wire.WireError as error:
            self._publish({"status": "error", "error": {"type": "WireError", "message": str(error)}})

    def reset(self) -> None:
        self.namespace = self._fresh_namespace()
        self._publish({"status": "ok"})

    # -- tools ------------------------------------------------------------------------------------
    def define_tools(self, specs_json: str) -> None:
        """Bind a stub for each host tool: same name, signature and docstring; calls cross the bridge."""
        for spec in json.loads(specs_json):
            self.namespace[spec["name"]] = self._make_stub(spec)
        self._publish({"status": "ok"})

    def _make_stub(self, spec: dict):
        signature = _signature_from_spec(spec)
        call = self._call_tool
        name = spec["name"]

        def stub(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as error:
                raise TypeError(f"{name}(): {error}") from None
            return call(name, bound.arguments)

        stub.__name__ = stub.__qualname__ = name
        stub.__doc__ = spec.get("doc") or None
        stub.__signature__ = signature
        stub.__module__ = "tools"
        return stub

    def _call_tool(self, name: str, arguments: dict) -> Any:
        request = wire.dumps({"tool": name, "arguments": arguments})
        with self._bridge_lock:
            sock = self._connect()
            wire.send_frame(sock, request)
            raw = wire.recv_frame(sock)
        if raw is None:
            self._bridge = None
            raise ToolCallError(f"tool {name}: the host closed the bridge")
        reply = wire.loads(raw)
        if not reply["ok"]:
            raise ToolCallError(reply["message"])
        return reply["result"]

    def _connect(self) -> socket.socket:
        if self._bridge is None:
            if not self.bridge_path:
                raise ToolCallError("this session has no tool bridge")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.bridge_path)
            self._bridge = sock
        return self._bridge


def _signature_from_spec(spec: dict) -> inspect.Signature:
    parameters = []
    for p in spec["parameters"]:
        default = wire.decode(p["default"]) if "default" in p else inspect.Parameter.empty
        kind = getattr(inspect.Parameter, p["kind"], inspect.Parameter.POSITIONAL_OR_KEYWORD)
        annotation = p.get("annotation", inspect.Parameter.empty)
        parameters.append(inspect.Parameter(p["name"], kind, default=default, annotation=annotation))
    return inspect.Signature(parameters, return_annotation=spec.get("returns", inspect.Signature.empty))


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as error:  # noqa: BLE001 - a user __repr__ may fail
        text = f"<repr failed: {type(error).__name__}: {error}>"
    if len(text) > VALUE_REPR_LIMIT:
        text = text[:VALUE_REPR_LIMIT] + f"... [{len(text) - VALUE_REPR_LIMIT} more characters]"
    return text


def _encoded_answer(answer: Any) -> Any:
    """The answer in wire form, so a DataFrame, array or tuple arrives as itself; what cannot cross
    (a figure, a module) arrives as its repr rather than not at all."""
    try:
        return wire.encode(answer)
    except wire.WireError:
        return wire.encode(_safe_repr(answer))


def _jsonable(value: Any) -> Any:
    """`value` if it is plain JSON (as json.dumps sees it), else None."""
    if hasattr(value, "item") and type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0:
        value = value.item()
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return value


def _is_figure(value: Any) -> bool:
    return type(value).__module__.startswith("matplotlib") and hasattr(value, "savefig")
