"""REST resources of audits over projections: replay a scope's history, diff two points."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.audit import Auditor, Side
from projections.items import Scope, pair_key
from projections.queries import today
from service.api.schemas.audit import DiffQuerySchema, DiffSchema, ReplayQuerySchema, ReplaySchema
from service.auth import reads
from service.problems import ApiProblem
from service.runtime import runtime

blp = Blueprint("replay", __name__, url_prefix="/v1/audit", description="Replays and diffs of conflicts and agendas")


def _scope(conflict: str | None, agenda: str | None) -> Scope:
    if bool(conflict) == bool(agenda):
        message = "give either conflict=ID or agenda=A,B"
        raise ApiProblem(422, message, [{"field": "conflict", "message": message}])
    if conflict:
        return ("conflict", conflict)
    assert agenda is not None
    a, b = agenda.upper().split(",")
    return ("agenda", pair_key(a, b))


def _scope_answer(scope: Scope) -> dict[str, str]:
    return {"kind": scope[0], "id": scope[1]}


@blp.route("/replay")
class Replay(MethodView):
    @reads
    @blp.arguments(ReplayQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ReplaySchema)
    def get(
        self,
        after: int,
        limit: int,
        conflict: str | None = None,
        agenda: str | None = None,
        until: int | None = None,
        as_of: date | None = None,
    ) -> Any:
        """Replay a conflict's or agenda's history in record order, step by step.

        Each step is the development recorded at that position (with its sources;
        corrections and retractions included) and what it changed in the answer
        (`field`, `before`, `after`), as of `as_of` (default today).
        """
        scope = _scope(conflict, agenda)
        auditor = Auditor(runtime().queries.store)
        steps, next_after, head = auditor.replay(scope, after=after, until=until, limit=limit, as_of=as_of)
        return {
            "scope": _scope_answer(scope),
            "as_of": (as_of or today()).isoformat(),
            "steps": [{"position": d.position, "development": d, "changes": c} for d, c in steps],
            "next_after": next_after,
            "computed_for": {"head": head},
        }


@blp.route("/diff")
class Diff(MethodView):
    @reads
    @blp.arguments(DiffQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, DiffSchema)
    def get(self, from_: str, to: str, conflict: str | None = None, agenda: str | None = None) -> Any:
        """What differs between two states of a conflict or agenda, each difference with its evidence.

        Each side is a date of the world (`2020-01-15`: as_of), a log position
        (`42`: known_at), or both (`2020-01-15@42`).
        """
        scope = _scope(conflict, agenda)
        try:
            first, second = Side.parse(from_), Side.parse(to)
        except ValueError as e:
            raise ApiProblem(422, str(e), [{"field": "from/to", "message": str(e)}]) from None
        differences, described_from, described_to, head = Auditor(runtime().queries.store).diff(scope, first, second)
        return {
            "scope": _scope_answer(scope),
            "from": described_from,
            "to": described_to,
            "differences": differences,
            "computed_for": {"head": head},
        }
