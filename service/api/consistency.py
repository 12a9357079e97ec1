"""``min_position``: a client reads its own writes, wherever its reads are served.

Every read takes ``min_position=P``: the answer waits until the read side (a
standby, when ``READ_DATABASE_URL`` names one) reflects log position ``P``, at
most ``READ_WAIT`` seconds, and is otherwise ``503`` with ``Retry-After``.  A
client sends the ``position`` its write was answered with; every read answer
says which position it reflects (``computed_for.head``).

The wait happens where a request first reaches the read side
(``Runtime.read_log``, ``Runtime.queries``): after its token and its other
parameters were checked, and for every route that reads, pages included.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request

from projections.store import ProjectionReader
from service.api.schemas.common import MAX_POSITION
from service.problems import ApiProblem

NAME = "min_position"

#: the parameter as the OpenAPI document gives it on every read operation
PARAMETER: dict[str, Any] = {
    "name": NAME,
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_POSITION},
    "description": "answer only once the read side reflects this log position (such as the position of your own "
    "write); 503 with Retry-After if it does not within READ_WAIT seconds",
}


def honour_min_position(reader: ProjectionReader, seconds: float) -> None:
    """In a request with ``min_position``, wait (once) until ``reader`` reflects it; 503 when it does not in time."""
    if not has_request_context() or g.get("min_position_met") or NAME not in request.args:
        return
    given = request.args[NAME]
    value = given.strip()
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_POSITION:
        message = f"expected a log position (a whole number from 0 to {MAX_POSITION})"
        raise ApiProblem(422, f"{NAME}: {message}, not '{given}'", [{"field": NAME, "message": message}])
    reader.await_position(int(value), seconds)
    g.min_position_met = True
