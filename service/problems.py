"""Errors as RFC 9457 problem details, mapped in one table.

Every error a client sees goes through ``problem_response``: domain errors by the
table below, HTTP errors by their status, anything unexpected as a 500 that
carries the request id (the log line with the traceback carries it too).  No
exception text from a library ever reaches a client.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, json
from werkzeug.exceptions import HTTPException

from events.audit.checkpoints import EmptyLog, InvalidCheckpoint, NoChain
from events.audit.proofs import NotInTree, ProofRefused
from events.audit.signing import NoSignedHead
from events.vocabulary.errors import (
    BatchTooLarge,
    DevelopmentNotFound,
    DomainError,
    IdConflict,
    InvalidDevelopment,
    UnknownReference,
)
from projections.changes import PointOutOfOrder, PointPastHead
from projections.finding import UnknownRegion
from projections.outbox import SubscriptionNotFound
from projections.queries import BadKnownAt, ScopeNotFound
from projections.store import NotYetReflected, ProjectionsOutdated

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://conflict-status.example/problems/"
log = logging.getLogger("conflict_status.errors")


@dataclass(frozen=True)
class Kind:
    status: int
    slug: str
    title: str


#: domain error -> (status, problem type, title)
DOMAIN_ERRORS: dict[type[DomainError], Kind] = {
    InvalidDevelopment: Kind(422, "invalid-development", "The development does not fit the vocabulary"),
    UnknownReference: Kind(422, "unknown-reference", "The development names something the log does not know"),
    IdConflict: Kind(409, "id-conflict", "The id is already taken by other content"),
    DevelopmentNotFound: Kind(404, "not-found", "No such development"),
    BatchTooLarge: Kind(413, "batch-too-large", "The batch is too large"),
    InvalidCheckpoint: Kind(422, "invalid-checkpoint", "The checkpoint is malformed or its signature does not hold"),
    EmptyLog: Kind(409, "empty-log", "The log is empty"),
    NoChain: Kind(409, "no-chain", "The database has no hash chain"),
    ProofRefused: Kind(422, "invalid-proof-request", "The tree cannot give that proof"),
    NotInTree: Kind(404, "not-found", "No development of the tree is at that position"),
    NoSignedHead: Kind(404, "no-checkpoint", "No tree head has been signed yet"),
    ScopeNotFound: Kind(404, "not-found", "No such conflict or agenda"),
    BadKnownAt: Kind(422, "invalid-request", "The request's parameters are invalid"),
    UnknownRegion: Kind(422, "invalid-request", "The request's parameters are invalid"),
    PointOutOfOrder: Kind(422, "invalid-request", "The request's parameters are invalid"),
    PointPastHead: Kind(422, "invalid-request", "The request's parameters are invalid"),
    SubscriptionNotFound: Kind(404, "not-found", "No such subscription"),
    NotYetReflected: Kind(503, "not-yet-reflected", "The read side has not reached that log position yet"),
    ProjectionsOutdated: Kind(503, "projections-outdated", "The projections are being rebuilt for this version"),
}

HTTP_TITLES = {
    400: ("bad-request", "The request could not be read"),
    401: ("unauthorized", "A bearer token is required"),
    403: ("forbidden", "The token's role does not allow this"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    408: ("request-timeout", "The request took too long to arrive"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "The request body is too large"),
    414: ("uri-too-long", "The request's URI is too long"),
    415: ("unsupported-media-type", "Unsupported media type"),
    417: ("expectation-failed", "The request's expectation cannot be met"),
    422: ("invalid-request", "The request's parameters are invalid"),
    429: ("rate-limited", "Too many requests"),
    431: ("headers-too-large", "The request's header fields are too large"),
    501: ("not-implemented", "The server does not support what the request needs"),
    503: ("unavailable", "The service cannot answer now"),
}


class ApiProblem(Exception):
    """An error raised by the service layer with a status and field-level errors."""

    def __init__(self, status: int, detail: str, errors: list[dict[str, Any]] | None = None, slug: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.slug = slug


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:  # RFC 9110: a 401 names the scheme it wants
        response.headers["WWW-Authenticate"] = 'Bearer realm="conflict-status"'
    if status == 503:  # busy or the database unreachable: worth a retry soon
        response.headers["Retry-After"] = "2"
    return response


def from_domain(error: DomainError) -> Response:
    kind = next(k for cls, k in DOMAIN_ERRORS.items() if isinstance(error, cls))
    errors = [p.as_dict() for p in getattr(error, "problems", [])]
    if isinstance(error, BadKnownAt):
        errors = [{"field": "known_at", "message": str(error)}]
    if isinstance(error, UnknownRegion):
        errors = [{"field": "region", "message": str(error)}]
    return problem_response(kind.status, kind.slug, kind.title, str(error), errors)


def from_http(error: HTTPException) -> Response:
    status = error.code or 500
    slug, title = HTTP_TITLES.get(status, ("http-error", error.name))
    errors: list[dict[str, Any]] = []
    messages = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
    if messages:  # webargs/marshmallow validation: {location: {field: [msgs]}}
        errors = list(_flatten(messages))
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    else:
        detail = error.description or title
    response = problem_response(status, slug, title, detail, errors)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _flatten(messages: Any, path: str = "") -> Any:
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("query", "json", "path", "headers", "form", "view_args") and not path:
                yield from _flatten(value, "")
            else:
                yield from _flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield {"field": path or "(request)", "message": message}
    elif isinstance(messages, list):
        for i, item in enumerate(messages):
            yield from _flatten(item, f"{path}[{i}]")
    else:
        yield {"field": path or "(request)", "message": str(messages)}


def install(app: Flask) -> None:
    """Register the one error mapping on the app."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        return from_domain(error)

    @app.errorhandler(ApiProblem)
    def _api(error: ApiProblem) -> Response:
        slug, title = HTTP_TITLES.get(error.status, ("error", "Error"))
        return problem_response(error.status, error.slug or slug, title, error.detail, error.errors)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        return from_http(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error in request %s", getattr(g, "request_id", "-"))
        return problem_response(
            500,
            "internal-error",
            "Internal error",
            "The service failed to answer; quote the request id when reporting it.",
        )
