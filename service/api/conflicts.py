"""REST resources of the read side: conflicts, their timelines, and bilateral agendas."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from projections.finding import Search
from projections.queries import parse_cursor
from service.api import csv_answers
from service.api.schemas.status import (
    AgendaListSchema,
    AgendaSchema,
    AsOfQuerySchema,
    ConflictListQuerySchema,
    ConflictListSchema,
    ConflictStatusSchema,
    FormatQuerySchema,
    TimelineQuerySchema,
    TimelineSchema,
)
from service.auth import reads
from service.problems import ApiProblem
from service.runtime import runtime

conflicts = Blueprint("conflicts", __name__, url_prefix="/v1/conflicts", description="The state of each conflict")
agendas = Blueprint("agendas", __name__, url_prefix="/v1/agendas", description="Bilateral agendas")


@conflicts.route("")
class Conflicts(MethodView):
    @reads
    @conflicts.arguments(ConflictListQuerySchema, location="query", as_kwargs=True)
    @conflicts.response(200, ConflictListSchema)
    @conflicts.alt_response(200, **csv_answers.CSV_RESPONSE)
    def get(
        self,
        q: str = "",
        status: list[str] | None = None,
        region: str = "",
        sort: str = "",
        format: str | None = None,
    ) -> Any:
        """List the conflicts with a one-line summary of their current status: all, or those asked for.

        `q` keeps conflicts whose id, name, region or summary hold every word;
        `status` (repeatable) keeps ceasefire statuses; `region` one region;
        `sort` orders by name, latest development or number of developments.
        """
        answer = runtime().queries.conflicts(Search(q, tuple(status or ()), region, sort))
        return csv_answers.conflicts(answer) if csv_answers.wanted(format) else answer


@conflicts.route("/<conflict>")
class Conflict(MethodView):
    @reads
    @conflicts.arguments(AsOfQuerySchema, location="query", as_kwargs=True)
    @conflicts.response(200, ConflictStatusSchema)
    def get(self, conflict: str, as_of: Any = None, known_at: str | None = None) -> Any:
        """The status of a conflict: ceasefire, summits, commitments, frameworks, assessment, fighting.

        `as_of` answers for a date of the world (default today); `known_at` (a log
        position or a timestamp) counts only developments recorded by then.
        Developments whose date straddles `as_of` are listed under `uncertain`.
        """
        queries = runtime().queries
        return queries.conflict(conflict, as_of, queries.known_at(known_at))


@conflicts.route("/<conflict>/timeline")
class Timeline(MethodView):
    @reads
    @conflicts.arguments(TimelineQuerySchema, location="query", as_kwargs=True)
    @conflicts.response(200, TimelineSchema)
    @conflicts.alt_response(200, **csv_answers.CSV_RESPONSE)
    def get(
        self,
        conflict: str,
        limit: int,
        after: str | None = None,
        as_of: Any = None,
        known_at: str | None = None,
        format: str | None = None,
    ) -> Any:
        """A conflict's developments in world-time order (ties by log position), a page at a time.

        As CSV (`format=csv` or `Accept: text/csv`) without `limit`, every development from `after` on.
        """
        try:
            cursor = parse_cursor(after)
        except ValueError as e:
            raise ApiProblem(422, str(e), [{"field": "after", "message": str(e)}]) from None
        queries = runtime().queries
        at = queries.known_at(known_at)
        if csv_answers.wanted(format):
            if "limit" in request.args:
                page = queries.timeline(conflict, after=cursor, limit=limit, as_of=as_of, known_at=at)
                return csv_answers.timeline(conflict, page["items"])
            return csv_answers.timeline(
                conflict, queries.every_development(conflict, after=cursor, as_of=as_of, known_at=at)
            )
        return queries.timeline(conflict, after=cursor, limit=limit, as_of=as_of, known_at=at)


@agendas.route("")
class Agendas(MethodView):
    @reads
    @agendas.arguments(FormatQuerySchema, location="query", as_kwargs=True)
    @agendas.response(200, AgendaListSchema)
    @agendas.alt_response(200, **csv_answers.CSV_RESPONSE)
    def get(self, format: str | None = None) -> Any:
        """List every pair of actors that has a bilateral agenda (as CSV too)."""
        answer = runtime().queries.agendas()
        return csv_answers.agendas(answer) if csv_answers.wanted(format) else answer


@agendas.route("/<a>/<b>")
class Agenda(MethodView):
    @reads
    @agendas.arguments(AsOfQuerySchema, location="query", as_kwargs=True)
    @agendas.response(200, AgendaSchema)
    def get(self, a: str, b: str, as_of: Any = None, known_at: str | None = None) -> Any:
        """The bilateral agenda of two actors (in either order): topics, contacts, joint positions."""
        queries = runtime().queries
        return queries.agenda(a, b, as_of, queries.known_at(known_at))
