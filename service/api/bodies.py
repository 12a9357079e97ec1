"""Reading request bodies: JSON and NDJSON, with precise answers for bad bytes."""

from __future__ import annotations

import json
import time
from typing import Any

import orjson
from flask import g, request
from werkzeug.exceptions import ClientDisconnected

from service.problems import ApiProblem

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _loads(text: str, where: str) -> Any:
    try:
        return orjson.loads(text)  # several times faster; refuses NaN and Infinity, as JSON does
    except orjson.JSONDecodeError:
        pass  # the standard parser says what is wrong, as before (or reads what orjson will not)
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # lone surrogates cannot be stored as UTF-8
        return value
    except UnicodeEncodeError:
        message = f"{where}malformed JSON: a string holds a lone surrogate (\\ud800 to \\udfff without its pair)"
        raise ApiProblem(400, message, slug="malformed-json") from None
    except json.JSONDecodeError as e:
        raise ApiProblem(
            400, f"{where}malformed JSON: {e.msg} at line {e.lineno}, column {e.colno}", slug="malformed-json"
        ) from None
    except RecursionError:
        raise ApiProblem(400, f"{where}JSON nested too deeply", slug="malformed-json") from None
    except ValueError as e:
        raise ApiProblem(400, f"{where}malformed JSON: {e}", slug="malformed-json") from None


def body_bytes() -> bytes:
    """The request's body: 413 past MAX_CONTENT_LENGTH, 408 when the client stops sending for READ_TIMEOUT."""
    try:
        data = request.get_data(cache=False)
    except (TimeoutError, ClientDisconnected):  # gunicorn ends a timed-out body early: werkzeug sees it cut short
        g.body_stalled = True
        raise ApiProblem(408, "the body stopped arriving before it was complete", slug="body-timeout") from None
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        # a chunked body is cut at the limit by werkzeug, silently: never read the cut one as the whole
        raise ApiProblem(413, f"the body is larger than the {limit} bytes accepted", slug="too-large")
    g.body_read = True
    return data


def body_left_unread() -> bool:
    """Whether the request came with a body that was not read to its end (refused before, or cut off)."""
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return has_body and not g.get("body_read", False)


#: how long an answer may wait for the rest of a body it refused to arrive (and be dropped)
DRAIN_SECONDS = 5.0


def drain_unread_body(limit: int) -> bool:
    """Read and drop the rest of a body the answer did not need; whether it ended (at most ``limit`` bytes more).

    A refused body's rest is still on its way.  Closing the connection at once
    would make a client still sending it fail with a broken pipe instead of
    reading the answer, and leaving it would make the server read the next
    request from its middle.  So the rest is read first, within ``limit``
    bytes and ``DRAIN_SECONDS`` (a lingering close): when it ends, the
    connection stays usable; when it does not, or the body had stalled, the
    caller has the connection closed after the answer.
    """
    if g.get("body_stalled", False):
        return False
    stream = request.environ.get("wsgi.input")
    if stream is None:
        return True
    deadline = time.monotonic() + DRAIN_SECONDS
    drained = 0
    try:
        while drained <= limit and time.monotonic() < deadline:
            chunk = stream.read(64 * 1024)
            if not chunk:
                return True
            drained += len(chunk)
    except Exception:  # a malformed chunk, a timeout, a client gone: the connection cannot be reused
        return False
    return False


def _text() -> str:
    data = body_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ApiProblem(400, f"the body is not UTF-8 (byte {e.start})", slug="malformed-json") from None


def media_type() -> str:
    return (request.mimetype or "").lower()


def json_body() -> Any:
    """The request's JSON value (Content-Type application/json)."""
    if media_type() not in JSON_TYPES and not media_type().endswith("+json"):
        raise ApiProblem(415, f"send application/json, not '{request.mimetype or 'no Content-Type'}'")
    text = _text()
    if not text.strip():
        raise ApiProblem(400, "the body is empty; send a JSON object", slug="malformed-json")
    return _loads(text, "")


def json_or_ndjson_items() -> list[Any]:
    """A batch: a JSON array, or NDJSON (one JSON value a line, blank lines skipped)."""
    if media_type() in NDJSON_TYPES:
        items = []
        for number, line in enumerate(_text().splitlines(), start=1):
            if line.strip():
                items.append(_loads(line, f"line {number}: "))
        return items
    value = json_body()
    if not isinstance(value, list):
        raise ApiProblem(
            422, "a batch is a JSON array of developments", [{"field": "(body)", "message": "expected an array"}]
        )
    return value
