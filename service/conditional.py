"""``ETag`` and ``If-None-Match`` on the answers that are functions of the log: a 304 costs one head read.

Every cacheable answer (the read routes of the API and the pages, listed by
blueprint below) is a function of the log up to the read side's head, of the
request (its URL, host and query included, and its ``Accept``), of today's date
(answers default to ``as_of`` today) and of the code's version.  Its tag is a hash
of exactly those, computed before the view runs: when the client's
``If-None-Match`` holds it, the answer is a 304 with no body and the view never
runs.  A new development anywhere moves the head and so every tag: coarse, but
always right, and cheap.

The tag is weak (``W/"..."``), on purpose: it is derived from the log, not from
the bytes, and one tag names every encoding of the answer (identity, gzip, br,
as ``flask-compress`` chooses per request).  RFC 9110 asks a strong tag to change
with the content-coding; a weak one says "semantically the same", which is what a
tag of the head means.  Answers that change without the head moving are left
out: the live feed, health, signed checkpoints and keys, verification, tokens,
subscriptions and their deliveries, and the audit page (it shows those).
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version

from flask import Flask, Response, g, request

from projections.folds import FOLD_VERSION
from projections.queries import today
from service.runtime import runtime

#: blueprints whose GET answers are functions of the log, the request and the date
CACHEABLE_BLUEPRINTS = frozenset({"events", "conflicts", "agendas", "replay", "changes", "pages"})
#: endpoints of those blueprints that show something else too
NOT_CACHEABLE = frozenset({"pages.audit", "pages.agenda_audit"})


def _code_version() -> str:
    try:
        return f"{version('conflict-status')}/{FOLD_VERSION}"
    except PackageNotFoundError:
        return f"dev/{FOLD_VERSION}"


CODE_VERSION = _code_version()


def cacheable() -> bool:
    """Whether the request asks for an answer that is a function of the log head (see the module's docstring)."""
    return (
        request.method in ("GET", "HEAD")
        and request.blueprint in CACHEABLE_BLUEPRINTS
        and request.endpoint not in NOT_CACHEABLE
        and not (request.endpoint or "").startswith("pages.static")
    )


def tag_for(head: int) -> str:
    """The weak tag's opaque value for this request at this head."""
    parts = (CODE_VERSION, str(head), today().isoformat(), request.url, request.headers.get("Accept", ""))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def install(app: Flask) -> None:
    """Answer 304 before the view when the client holds the current tag; tag every cacheable 200 after it."""

    @app.before_request
    def _not_modified() -> Response | None:
        if not cacheable():
            return None
        # read before the view: should the head move meanwhile, the tag is older than the answer, never newer
        head = runtime().reflected_head()
        g.etag = tag_for(head)
        # the view checks a token where reads need one, the parameters, and waits for a min_position past the head;
        # "*" needs the answer to exist: in those cases the 304 is made after the view, in _tag
        given = request.if_none_match
        early = not given.star_tag and not runtime().settings.reads_need_token and not _waits(head)
        if early and given.contains_weak(g.etag):
            return not_modified(g.etag)
        return None

    @app.after_request
    def _tag(response: Response) -> Response:
        etag = g.get("etag")
        if not etag or response.status_code != 200 or "ETag" in response.headers:
            return response
        if request.if_none_match.contains_weak(etag):
            return not_modified(etag)
        response.set_etag(etag, weak=True)
        response.headers["Vary"] = "Accept, Accept-Encoding"
        response.headers.setdefault("Cache-Control", "no-cache")  # keep it, but ask again each time (304s)
        return response


def _waits(head: int) -> bool:
    """Whether the request's ``min_position`` (readable or not: the view says) is past ``head``."""
    wanted = request.args.get("min_position")
    if wanted is None:
        return False
    return not wanted.isdigit() or int(wanted) > head


def not_modified(etag: str) -> Response:
    """A 304: no body, the tag and what it varies with."""
    response = Response(status=304)
    response.set_etag(etag, weak=True)
    response.headers["Vary"] = "Accept, Accept-Encoding"
    response.headers["Cache-Control"] = "no-cache"
    return response
