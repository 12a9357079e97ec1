"""REST resources that follow changes across every conflict and agenda: a diff of two points, and Atom feeds."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from projections.audit import Side
from projections.changes import Changes
from service.api import atom
from service.api.schemas.changes import ChangesQuerySchema, ChangesSchema
from service.api.schemas.common import StrictSchema
from service.auth import reads
from service.problems import ApiProblem
from service.runtime import runtime

blp = Blueprint("changes", __name__, url_prefix="/v1", description="What changed, across conflicts and agendas")

#: entries an Atom feed holds (the newest)
FEED_ENTRIES = 50
FEED_RESPONSE = {
    "description": "an Atom 1.0 feed, newest entry first",
    "content": {atom.ATOM: {"schema": {"type": "string", "description": "an Atom 1.0 document (RFC 4287)"}}},
}


def _side(text: str, name: str) -> Side:
    try:
        return Side.parse(text)
    except ValueError as e:
        raise ApiProblem(422, str(e), [{"field": name, "message": str(e)}]) from None


def _changes() -> Changes:
    return Changes(runtime().queries.store)


def _atom(document: bytes) -> Response:
    return Response(document, mimetype=atom.ATOM)


@blp.route("/changes")
class ChangesBetween(MethodView):
    @reads
    @blp.arguments(ChangesQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ChangesSchema)
    def get(self, from_: str, limit: int, to: str | None = None, after: str | None = None) -> Any:
        """Every conflict and agenda whose answer differs between two points, with the changed facts and evidence.

        Each point is a date of the world (`2020-01-15`), a log position (`42`) or
        both (`2020-01-15@42`), as in the audit's diff; `to` defaults to today at
        the head.  A page compares at most `limit` conflicts and agendas: those
        that developments recorded between the two positions touched when both
        points are for the same date, else every one; continue with `after`.
        """
        second = _side(to, "to") if to else Side()
        found = _changes().between(_side(from_, "from"), second, after=after, limit=limit)
        return {
            "from": found.first,
            "to": found.second,
            "changes": [
                {"scope": {"kind": c.scope[0], "id": c.scope[1]}, "differences": c.differences} for c in found.changed
            ],
            "examined": found.examined,
            "candidates": found.candidates,
            "next_after": found.next_after,
            "computed_for": {"head": found.head},
        }


@blp.route("/changes.atom")
class ChangesFeed(MethodView):
    @reads
    @blp.arguments(StrictSchema, location="query")
    @blp.doc(responses={"200": FEED_RESPONSE})
    def get(self, _: Any) -> Response:
        """The latest changes to every conflict and agenda as an Atom feed: one entry per change a development made."""
        changes, _head = _changes().recent(limit=FEED_ENTRIES)
        return _atom(
            atom.feed(
                changes,
                origin=runtime().settings.log_origin,
                name="changes",
                title="Changes to every conflict and agenda",
                self_url=request.url,
                page_url=url_for("pages.changes", _external=True),
            )
        )


@blp.route("/conflicts/<conflict>/changes.atom")
class ConflictFeed(MethodView):
    @reads
    @blp.arguments(StrictSchema, location="query")
    @blp.doc(responses={"200": FEED_RESPONSE})
    def get(self, _: Any, conflict: str) -> Response:
        """The latest changes to one conflict as an Atom feed: one entry per development that changed its answer."""
        scope = ("conflict", conflict)
        changes, _head = _changes().recent(scope, limit=FEED_ENTRIES)
        return _atom(
            atom.feed(
                changes,
                origin=runtime().settings.log_origin,
                name=f"conflicts/{conflict}/changes",
                title=f"Changes to {conflict}",
                self_url=request.url,
                page_url=atom.scope_page(scope),
            )
        )
