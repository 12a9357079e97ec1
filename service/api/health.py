"""GET /healthz: 200 when the service can answer reads from its database; what it reflects, and what fails."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.store import ProjectionsOutdated
from service.api.schemas.events import HealthSchema
from service.problems import ApiProblem
from service.runtime import runtime

blp = Blueprint("health", __name__, description="Liveness and database reachability")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="the database that reads go to cannot be reached")
    def get(self) -> Any:
        """Answer 200 while the database that reads go to answers, 503 otherwise.

        `status` is `ok`, or `degraded` when a development could not be folded
        (each is listed under `unfolded` with its scope; that scope's answer
        leaves it out, every other answer is whole; retracting it repairs the
        scope) or when the database that writes go to (`DATABASE_URL`, when reads
        go to a standby) cannot be reached (`writes: unreachable`).  `head` is the
        read side's log head, `projected` the position its stored projections
        reflect, `reflects` the position answers reflect (the projections and
        the log's tail folded in memory; `projections: outdated` and `degraded`
        while projections made by folds of another version wait for a writer to
        rebuild them, when reads answer 503).
        """
        service = runtime()
        try:
            reader = service.queries.store
            head = service.read_log.head()
            projected = reader.tracked()
            failing = reader.unfolded()
            try:
                reflects, projections = reader.head(), "current"
            except ProjectionsOutdated:
                reflects, projections = projected, "outdated"
        except Exception as e:
            raise ApiProblem(503, "the database cannot be reached", slug="unavailable") from e
        writes = "ok"
        if service.settings.reads_elsewhere:
            try:
                service.log.head()
            except Exception:
                writes = "unreachable"
        return {
            "status": "degraded" if failing or writes != "ok" or projections != "current" else "ok",
            "database": "sqlite" if service.settings.is_sqlite else "postgresql",
            "head": head,
            "projected": projected,
            "reflects": reflects,
            "writes": writes,
            "projections": projections,
            "unfolded": failing,
        }
