"""Bearer-token checks for views: ``requires("submitter")`` and friends."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request

from service.problems import ApiProblem
from service.runtime import runtime

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    """The bearer token of the request's Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def check(role: str) -> None:
    """Raise 401 without a live token, 403 when its role does not grant ``role``."""
    secret = bearer_token()
    if secret is None:
        raise ApiProblem(401, f"this needs a bearer token with the {role} role (Authorization: Bearer <token>)")
    info = runtime().tokens.lookup(secret)
    if info is None:
        raise ApiProblem(401, "the bearer token is not valid")
    if info.revoked:
        raise ApiProblem(401, "the bearer token has been revoked")
    if info.expired():
        raise ApiProblem(401, f"the bearer token expired at {info.expires_at}")
    if not info.grants(role):
        raise ApiProblem(403, f"a {info.role} token cannot do this; it needs the {role} role")
    g.token = info


def requires(role: str) -> Callable[[F], F]:
    """Decorate a view so that it needs a token granting ``role``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(role)
            return view(*args, **kwargs)

        wrapper._required_role = role  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def reads(view: F) -> F:
    """Decorate a read view: open, unless the settings ask for a reader token."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if runtime().settings.reads_need_token:
            check("reader")
        return view(*args, **kwargs)

    wrapper._required_role = "reader?"  # type: ignore[attr-defined]
    return cast(F, wrapper)
