"""Pages for people: the overview, a conflict, an agenda, an audit, one development.

A plain Flask blueprint (not part of the OpenAPI document).  Each view parses its
arguments, makes one call to ``service.page_models`` (which asks the read side
in-process) and renders a template from ``service/pages/templates``; assets come from
``service/pages/static`` and nothing from another host.  Errors are HTML pages here,
while ``/v1/...`` keeps answering problem+json.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from flask import Blueprint, Response, g, render_template, request
from werkzeug.exceptions import HTTPException

from events.vocabulary.errors import DevelopmentNotFound, FieldError
from events.vocabulary.occurred import check_day
from projections.finding import SORTS, STATUSES, Search, UnknownRegion
from projections.items import Scope, pair_key
from projections.queries import BadKnownAt, ScopeNotFound
from projections.store import NotYetReflected, ProjectionsOutdated
from service import headers, problems
from service.pages import audit_models, changes_models
from service.pages import models as page_models
from service.runtime import runtime

blp = Blueprint("pages", __name__)
log = logging.getLogger("conflict_status.pages")


class PageError(Exception):
    """A request a page cannot answer, told to people in plain words."""

    def __init__(self, status: int, title: str, message: str, suggestion: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.suggestion = suggestion


# -- arguments --------------------------------------------------------------------------


def _as_of() -> date | None:
    value = request.args.get("as_of", "").strip()
    if not value:
        return None
    try:
        return check_day(date.fromisoformat(value), "as_of")
    except ValueError:
        raise PageError(400, "That date cannot be read", f"'{value}' is not a date; use the form 2020-01-15.") from None
    except FieldError as e:
        raise PageError(400, "That date is out of range", f"The date {e.message}.") from None


def _known_at() -> int | None:
    value = request.args.get("known_at", "").strip()
    try:
        return runtime().queries.known_at(value)
    except BadKnownAt:
        raise PageError(
            400,
            "That record time cannot be read",
            f"'{value}' is neither a log position (a whole number) nor a timestamp such as 2020-06-26T12:00:00Z.",
        ) from None


def _window() -> int | None:
    """Days the chart shows before its end: ``window=90``, ``all`` (None), or a year by default."""
    value = request.args.get("window", "").strip()
    if value == "all":
        return None
    return _whole("window", page_models.DEFAULT_WINDOW)


def _whole(name: str, default: int | None) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise PageError(400, "That page cannot be read", f"'{name}' must be a whole number, not '{value}'.")
    return int(value)


#: the query parameters each page reads.  Pages do not refuse others, as the API does: links
#: shared by people collect parameters of their own (utm_source, fbclid) and must keep opening.
#: A page names what it ignored instead, so that a misspelt ``asof`` does not pass unnoticed.
PAGE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "pages.overview": ("q", "status", "region", "sort"),
    "pages.conflict": ("as_of", "known_at", "window"),
    "pages.agenda": ("as_of", "known_at"),
    "pages.audit": ("after", "from", "to"),
    "pages.development": (),
    "pages.changes": ("from", "to", "after"),
}


@blp.context_processor
def _ignored_parameters() -> dict[str, Any]:
    """``ignored``: the query parameters this page does not read, and ``reads``: the ones it does."""
    reads = (*PAGE_PARAMETERS.get(request.endpoint or "", ()), "min_position")  # every page waits for it
    return {"ignored": [name for name in dict.fromkeys(request.args) if name not in reads], "reads": reads}


# -- views ------------------------------------------------------------------------------


@blp.before_request
def _reads_allowed() -> None:
    """Where reads need a reader token, pages (which a browser cannot send one with) are closed too."""
    if runtime().settings.reads_need_token:
        raise PageError(
            403,
            "Pages are closed on this service",
            "This service answers reads only to holders of a reader token, which a web page cannot send. "
            "Use the REST API under /v1 with your token.",
        )


def _search() -> Search:
    """The overview's search form: ``q``, ``status`` (repeated), ``region`` and ``sort``, blanks left out."""
    statuses = tuple(dict.fromkeys(s.strip() for s in request.args.getlist("status") if s.strip()))
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise PageError(400, "That search cannot be read", f"'{unknown[0]}' is not a ceasefire status.")
    sort = request.args.get("sort", "").strip()
    if sort and sort not in SORTS:
        raise PageError(400, "That search cannot be read", f"'{sort}' is not an order; use {', '.join(SORTS)}.")
    q = request.args.get("q", "").strip()[:200]
    return Search(q, statuses, request.args.get("region", "").strip(), sort)


@blp.get("/")
def overview() -> str:
    """The conflicts found (``q``, ``status``, ``region``, ``sort``), with ceasefire and last development; agendas."""
    return render_template("overview.html", **page_models.overview(_search()))


@blp.get("/conflicts/<conflict>")
def conflict(conflict: str) -> str:
    """A conflict's status card, timeline chart and time controls (``as_of``, ``known_at``, ``window`` days)."""
    model = page_models.conflict_page(conflict, _as_of(), _known_at(), _window())
    return render_template("conflict.html", **model)


@blp.get("/agendas/<a>/<b>")
def agenda(a: str, b: str) -> str:
    """Two actors' bilateral agenda on a timeline (``as_of``, ``known_at``)."""
    return render_template("agenda.html", **page_models.agenda_page(a, b, _as_of(), _known_at()))


@blp.get("/audit/<conflict>")
def audit(conflict: str) -> str:
    """A conflict's replay as readable steps, a diff of two points (``from``, ``to``), the log's verification."""
    return _audit(("conflict", conflict))


@blp.get("/audit/agendas/<a>/<b>")
def agenda_audit(a: str, b: str) -> str:
    """An agenda's replay, a diff of two points and the log's verification, as a conflict's audit page has."""
    return _audit(("agenda", pair_key(a.upper(), b.upper())))


def _audit(scope: Scope) -> str:
    model = audit_models.audit_page(
        scope, _whole("after", 0) or 0, request.args.get("from", "").strip(), request.args.get("to", "").strip()
    )
    return render_template("audit.html", **model)


@blp.get("/changes")
def changes() -> str:
    """What changed between two dates (``from``, ``to``: dates, positions or both), across every conflict and agenda."""
    model = changes_models.changes_page(
        request.args.get("from", "").strip(), request.args.get("to", "").strip(), request.args.get("after", "").strip()
    )
    return render_template("changes.html", **model)


@blp.get("/developments/<ident>")
def development(ident: str) -> str:
    """One development: what happened, when, who, and its sources."""
    return render_template("development.html", **page_models.development_page(ident))


# -- errors for people ------------------------------------------------------------------


def _error_page(status: int, title: str, message: str, suggestion: dict[str, str] | None = None) -> Response:
    body = render_template(
        "error.html", title=title, message=message, suggestion=suggestion, status=status, request_id=g.get("request_id")
    )
    return Response(body, status=status, mimetype="text/html")


@blp.errorhandler(PageError)
def _page_error(error: PageError) -> Response:
    return _error_page(error.status, error.title, error.message, error.suggestion)


@blp.errorhandler(ScopeNotFound)
def _scope_not_found(error: ScopeNotFound) -> Response:
    kind = "conflict" if error.kind == "conflict" else "agenda"
    suggestion = None
    if error.suggestion:
        href = (
            f"/conflicts/{error.suggestion}"
            if kind == "conflict"
            else "/agendas/" + "/".join(error.suggestion.split("-", 1))
        )
        suggestion = {"href": href, "text": error.suggestion}
    return _error_page(404, f"No such {kind}", f"This service knows no {kind} '{error.key}'.", suggestion)


@blp.errorhandler(UnknownRegion)
def _unknown_region(error: UnknownRegion) -> Response:
    return _error_page(400, "No conflict is in that region", f"{str(error)[0].upper()}{str(error)[1:]}.")


@blp.errorhandler(DevelopmentNotFound)
def _development_not_found(error: DevelopmentNotFound) -> Response:
    return _error_page(404, "No such development", f"The log holds no development with the id '{error.id}'.")


@blp.errorhandler(NotYetReflected)
def _not_yet_reflected(error: NotYetReflected) -> Response:
    response = _error_page(
        503,
        "Not there yet",
        f"This page is read from a copy of the log that has reached position {error.reached}, "
        f"not yet {error.position}. Reload in a moment.",
    )
    response.headers["Retry-After"] = "2"
    return response


@blp.errorhandler(ProjectionsOutdated)
def _projections_outdated(error: ProjectionsOutdated) -> Response:
    told = "The service is rebuilding its answers for a new version. Reload soon."
    response = _error_page(503, "Being rebuilt", told)
    response.headers["Retry-After"] = "2"
    return response


@blp.errorhandler(problems.ApiProblem)
def _request_problem(error: problems.ApiProblem) -> Response:
    return _error_page(error.status, "That page cannot be read", error.detail)


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return _error_page(error.code or 500, error.name, error.description or error.name)


@blp.app_errorhandler(404)
def _no_such_page(error: HTTPException) -> Response:
    """A path nothing answers: an HTML page for a browser, problem+json for API clients and under /v1."""
    accept = request.accept_mimetypes
    if request.path.startswith("/v1/") or accept["text/html"] <= accept["application/json"]:
        return problems.from_http(error)
    return _error_page(404, "Page not found", f"Nothing is at {request.path}.")


@blp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    log.exception("page failed for request %s", g.get("request_id", "-"))
    return _error_page(
        500, "Something went wrong", "The page could not be made; quote the request id below when reporting it."
    )


@blp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", headers.PAGES_POLICY)
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


# -- template helpers (presentation only) -----------------------------------------------


@blp.app_template_filter("shown")
def shown(value: Any) -> str:
    """A value from an answer as text: lists joined, nothing as a dash, the rest as compact JSON."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@blp.app_template_filter("words")
def words(value: str | None) -> str:
    """``phone_call`` / ``conflict_risk`` as ``phone call`` / ``conflict risk``."""
    return (value or "").replace("_", " ")


@blp.app_template_filter("fact")
def fact(path: str) -> str:
    """An audit field path, ``summits[normandy-paris-2019].date``, as ``summits > normandy-paris-2019 > date``."""
    return path.replace("[", ".").replace("]", "").replace(".", " \u203a ")


@blp.app_template_filter("moment")
def moment(value: str | None) -> str:
    """A record timestamp, ``2026-11-27T16:13:17.157879+00:00``, to the minute: ``2026-11-27 16:13 UTC``."""
    if not value:
        return "—"
    text = str(value).replace("T", " ")
    return text[:16] + (" UTC" if text.endswith(("+00:00", "Z")) else "")
