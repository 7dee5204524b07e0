"""Joining a Ray cluster that uses token authentication (Ray 2.52+, on by default where a token exists).

Ray turns token authentication on by itself only when it finds a local cluster (`auto`); given an explicit
address (`HOST:6379`) it connects without a token, and a cluster started with one refuses it ("Authentication
token is missing or incorrect"). `enable_token_auth` does for every address what Ray does for `auto`: where a
token is available ($RAY_AUTH_TOKEN, the file $RAY_AUTH_TOKEN_PATH, or ~/.ray/auth_token, which `ray start
--head` uses) and $RAY_AUTH_MODE does not say otherwise, this process authenticates with it.
"""

from __future__ import annotations

TOKEN_SOURCES = "$RAY_AUTH_TOKEN, the file $RAY_AUTH_TOKEN_PATH, or ~/.ray/auth_token"


def enable_token_auth() -> bool:
    """Authenticate to the cluster with the available token; whether token authentication is now on."""
    try:  # Ray's own step for `auto` (it also refreshes Ray's cached configuration, which an env var alone cannot)
        from ray._private.authentication.authentication_token_setup import (
            maybe_enable_token_auth_if_token_available,
        )
    except ImportError:  # a Ray from before token authentication: nothing to do
        return False
    return maybe_enable_token_auth_if_token_available(warn_if_disabled=False)


def join_error(address: str, error: Exception, token: bool) -> str:
    """Why joining the cluster at `address` failed, and what to try."""
    hint = ("the token given was refused: check it is the cluster's" if token else
            f"if the cluster uses token authentication, give its token ({TOKEN_SOURCES})")  # fmt: skip
    return f"cannot join the Ray cluster at {address}: {str(error).splitlines()[0]}; {hint}"
