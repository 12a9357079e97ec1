"""GET /healthz: 200 when the service can reach its database."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.schemas.events import HealthSchema
from service.problems import ApiProblem
from service.runtime import runtime

blp = Blueprint("health", __name__, description="Liveness and database reachability")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="the database cannot be reached")
    def get(self) -> Any:
        """Answer 200 with the log's head when the database answers, 503 otherwise."""
        try:
            head = runtime().log.head()
        except Exception as e:
            raise ApiProblem(503, "the database cannot be reached", slug="unavailable") from e
        return {"status": "ok", "database": "sqlite" if runtime().settings.is_sqlite else "postgresql", "head": head}
