"""The Flask application factory."""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, g, request
from flask_compress import Compress
from flask_cors import CORS
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from service import conditional, gunicorn_answers, headers, problems, rate_limit
from service.api import (
    audit,
    changes,
    conflicts,
    docs,
    events,
    health,
    imports,
    query_parameters,
    replay,
    stream,
    subscriptions,
    transparency,
)
from service.api.bodies import body_left_unread, drain_unread_body
from service.api.json_provider import OrjsonProvider
from service.api.openapi import document_routes, register_components
from service.pages import views as pages
from service.runtime import Runtime
from service.settings import Settings

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: how much of a refused body's rest an answer reads and drops, in MAX_BODY_BYTES, before closing instead
DRAINED_BODY_FACTOR = 4
#: response headers a browser script may read when CORS is on
CORS_EXPOSED = ["Location", "Link", "X-Request-Id", "Retry-After", "ETag"]
#: media types compressed (br, else gzip) when the client accepts it and the answer is 500 bytes or more
COMPRESSED = [
    "application/json",
    "application/problem+json",
    "application/atom+xml",
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
]


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, answering HTTP errors as problem+json."""

    def handle_http_exception(self, error: HTTPException) -> Response:
        return problems.from_http(error)


def create_app(settings: Settings | None = None, *, create_tables: bool = True) -> Flask:
    """Build the app.  Nothing here opens the database: each worker does on first use."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder="pages/templates", static_folder="pages/static")
    app.config.update(
        API_TITLE="Conflict status",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",  # /docs is service.api.docs: Swagger UI without inline scripts
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        COMPRESS_MIMETYPES=COMPRESSED,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_STREAMS=False,  # the live feed flushes each event as it comes: never held back to compress
        API_SPEC_OPTIONS={
            "info": {"description": "An event-sourced record of diplomatic developments and the state of conflicts."},
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        },
    )
    app.json = OrjsonProvider(app)  # keys keep their order (its sort_keys is False)
    app.extensions["conflict_status"] = Runtime(settings, create_tables=create_tables)
    _configure_logging(settings)

    api = ProblemApi(app)
    register_components(api)
    api.register_blueprint(health.blp)
    api.register_blueprint(events.blp)
    api.register_blueprint(conflicts.conflicts)
    api.register_blueprint(conflicts.agendas)
    api.register_blueprint(stream.blp)
    api.register_blueprint(audit.blp)
    api.register_blueprint(transparency.blp)
    api.register_blueprint(imports.blp)
    api.register_blueprint(replay.blp)
    api.register_blueprint(changes.blp)
    api.register_blueprint(subscriptions.blp)
    document_routes(app, api)
    problems.install(app)

    @app.before_request
    def _request_id() -> None:
        """Name the request first (before the rate limiter may answer 429), so every answer carries its id."""
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        connection = request.environ.get("gunicorn.socket")
        if connection is not None:  # a client that stops sending its body (or reading) frees its thread
            connection.settimeout(settings.read_timeout)

    rate_limit.install(app, settings)
    if settings.cors_origins:
        CORS(app, origins=list(settings.cors_origins), expose_headers=CORS_EXPOSED, max_age=600)
    query_parameters.install(app, api.spec.to_dict())  # after the request id (its 422 carries it) and the limiter
    Compress(app)  # its after_request runs after conditional's, so a tagged answer is compressed, never a 304
    conditional.install(app)  # after the parameter check: a misspelt parameter is a 422, never a 304
    app.register_blueprint(pages.blp)  # pages for people: HTML, not in the OpenAPI document
    app.register_blueprint(docs.blp)
    headers.install(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if body_left_unread() and not drain_unread_body(DRAINED_BODY_FACTOR * settings.max_body_bytes):
            gunicorn_answers.close_after_answer()  # the rest of the body is still on the connection: close it
        return response

    return app


def _configure_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("conflict_status").setLevel(settings.log_level)
