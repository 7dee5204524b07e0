"""Safe stand-ins for library callables that evaluate strings or unpickle: handed out by the
attribute guard in place of pandas.eval, DataFrame.eval/query and numpy.load."""

from __future__ import annotations

import functools
from typing import Any

from sandbox.errors import PolicyViolationError
from sandbox.policy.guards.state import GuardState, refuse
from sandbox.policy.names import DANGEROUS_ATTRIBUTES


def wraps(func: Any) -> Any:
    """functools.wraps without `__wrapped__` (nor a copy of func's __dict__): the wrapper is a guard,
    and user code may read `__wrapped__` and `__dict__` of functions."""

    def decorate(wrapper: Any) -> Any:
        functools.update_wrapper(wrapper, func, updated=())
        del wrapper.__wrapped__
        return wrapper

    return decorate


def check_expression(state: GuardState, text: Any, what: str) -> None:
    """pandas.eval / DataFrame.query / typing forward references evaluate strings as unchecked code:
    refuse any string that names a dunder or dangerous attribute."""
    if isinstance(text, str) and ("__" in text or any(n in text for n in DANGEROUS_ATTRIBUTES if "_" in n)):
        message = f"{what} may not name dunder or internal attributes"
        raise refuse(state, PolicyViolationError, "dangerous-attribute", message)


def checked_eval(state: GuardState, func: Any, what: str) -> Any:
    """`func` (pandas.eval, DataFrame.query, ...) that first checks its expression string."""

    @wraps(func)
    def checked(expr: Any, *args: Any, **kwargs: Any) -> Any:
        check_expression(state, expr, what)
        return func(expr, *args, **kwargs)

    return checked


def safe_numpy_load(state: GuardState, load: Any) -> Any:
    """numpy.load that never unpickles."""

    @wraps(load)
    def safe_load(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("allow_pickle"):
            raise refuse(
                state,
                PolicyViolationError,
                "module-attribute",
                "numpy.load(allow_pickle=True) is not allowed: unpickling runs arbitrary calls",
            )
        kwargs["allow_pickle"] = False
        return load(*args, **kwargs)

    return safe_load
