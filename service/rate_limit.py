"""Per-client rate limiting, when ``RATE_LIMIT`` is set: 429 problem+json past the limit.

A client is its token when it sends a live one (so that clients behind one
address keep their own budgets), else its address: a made-up token does not buy
a fresh budget.  Counters live in ``RATE_LIMIT_STORAGE``: ``memory://`` counts in
each worker process, so that the effective limit is per worker; a shared store
(``redis://...``) makes it per service.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter

from service.auth import bearer_token
from service.runtime import runtime
from service.settings import Settings

UNLIMITED_PATHS = ("/healthz",)


def client_key() -> str:
    """The rate-limit key of the request: ``token:<token id>`` or ``address:<remote address>``."""
    secret = bearer_token()
    info = runtime().tokens.verify(secret) if secret else None
    if info is not None:
        return f"token:{info.id}"
    return f"address:{request.remote_addr or '-'}"


def install(app: Flask, settings: Settings) -> Limiter | None:
    """Limit every route but the health check to ``settings.rate_limit`` per client (nothing when unset)."""
    if not settings.rate_limit:
        return None
    return Limiter(
        client_key,
        app=app,
        default_limits=[settings.rate_limit],
        storage_uri=settings.rate_limit_storage,
        headers_enabled=True,
        default_limits_exempt_when=lambda: request.path in UNLIMITED_PATHS,
    )
