"""GET /v1/events/stream: the live feed of the log, as NDJSON or Server-Sent Events."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.feed import MEDIA_TYPES, NDJSON, SSE, Follow, ndjson, server_sent_events
from service.api.schemas.events import StreamHeadersSchema, StreamQuerySchema
from service.auth import reads
from service.problems import ApiProblem
from service.runtime import runtime

blp = Blueprint("stream", __name__, url_prefix="/v1/events", description="The live feed of the log")

STREAM_RESPONSE = {
    "description": "developments in log order as they are appended, with heartbeats while idle",
    "content": {
        NDJSON: {
            "schema": {
                "type": "string",
                "description": "one development (as GET /v1/events/{id}) a line; "
                'heartbeats are {"heartbeat": true, "after": N, "at": ...}',
            }
        },
        SSE: {
            "schema": {
                "type": "string",
                "description": "events `development` with `id:` = position; heartbeats are comments",
            }
        },
    },
}


@blp.route("/stream")
class Stream(MethodView):
    @reads
    @blp.arguments(StreamQuerySchema, location="query", as_kwargs=True)
    @blp.arguments(StreamHeadersSchema, location="headers", as_kwargs=True)
    @blp.doc(responses={"200": STREAM_RESPONSE})
    @blp.alt_response(503, description="this worker already serves as many feeds as it may; retry later")
    def get(self, after: int, limit: int, wait: float, heartbeat: float, last_event_id: str | None = None) -> Any:
        """Follow the log from a position as it grows.

        `Accept: application/x-ndjson` (the default) or `text/event-stream`.
        The feed ends after `limit` developments or `wait` seconds; resume from
        the last position received (`after`, or `Last-Event-ID`, which an
        EventSource sends by itself when it reconnects).
        """
        media_type = _negotiate()
        after = _last_event_id(after, last_event_id)
        slots = runtime().feeds
        if not slots.take():
            raise ApiProblem(503, "too many live feeds are open on this worker; retry in a few seconds", slug="busy")
        items = Follow(runtime().read_log, after, limit, wait, heartbeat)
        body = server_sent_events(items) if media_type == SSE else ndjson(items)
        response = Response(body, mimetype=media_type, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        response.call_on_close(slots.give_back)
        return response


def _negotiate() -> str:
    accept = request.accept_mimetypes
    if not accept:
        return NDJSON
    best = accept.best_match(MEDIA_TYPES)
    if best is None:
        raise ApiProblem(406, f"the live feed speaks {NDJSON} or {SSE}; send one of them in Accept")
    return best


def _last_event_id(after: int, given: str | None) -> int:
    if given is None or not given.strip():
        return after
    if not (given.strip().isascii() and given.strip().isdigit()) or len(given.strip()) > 18:
        raise ApiProblem(
            400,
            "Last-Event-ID must be a log position",
            [{"field": "Last-Event-ID", "message": "expected a whole number"}],
        )
    return int(given.strip())
