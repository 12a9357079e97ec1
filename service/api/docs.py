"""GET /docs: Swagger UI over /openapi.json, served from the installed package and a script of our own.

flask-smorest's page starts Swagger UI with an inline script, which a
Content-Security-Policy without ``'unsafe-inline'`` forbids.  This page loads
the same files (flask-swagger-ui's copy of Swagger UI, no CDN) and starts it
from ``static/pages/docs.js``, so its policy allows scripts from the service
alone (``service.headers.DOCS_POLICY``).
"""

from __future__ import annotations

from typing import Any

import flask_swagger_ui
from flask import Blueprint, Response, current_app, render_template, send_from_directory

from service import headers

SWAGGER_ASSETS = flask_swagger_ui.__path__[0] + "/dist"

blp = Blueprint("docs", __name__)


@blp.get("/docs")
def docs() -> str:
    """The interactive documentation of the API (not itself part of the OpenAPI document)."""
    return render_template("docs.html", spec_url="/openapi.json", assets="/docs/assets/")


@blp.get("/docs/assets/<path:name>")
def swagger_assets(name: str) -> Any:
    """Swagger UI's files, served from the installed package (no CDN)."""
    return send_from_directory(SWAGGER_ASSETS, name, max_age=3600)


@blp.get("/favicon.ico")
def favicon() -> Any:
    """The service's icon where browsers look for it by themselves (on /docs, JSON answers, /openapi.json)."""
    folder = current_app.static_folder or ""
    return send_from_directory(folder, "pages/favicon.svg", mimetype="image/svg+xml", max_age=86400)


@blp.after_request
def _policy(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", headers.DOCS_POLICY)
    return response
