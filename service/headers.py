"""Security headers of every answer: what a browser may load for a page, and that no site may frame one.

Pages (``service.pages``) load only the service's own files; the API docs
(``service.api.docs``) load Swagger UI from the service too, and need inline
styles (Swagger UI sets ``style`` attributes as it renders) and ``data:``
images (its icons).  No answer may be framed by another site (clickjacking):
``frame-ancestors 'none'`` says so to browsers that read CSP, ``X-Frame-Options:
DENY`` to older ones.  JSON answers get the framing refusal too: it costs
nothing and covers a JSON document opened in a frame.
"""

from __future__ import annotations

from flask import Flask, Response

#: pages load only the service's own files; the live list reads the service's own feed
PAGES_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
#: Swagger UI: its scripts and styles from the service, inline style attributes, data: icons,
#: requests ("Try it out") to the service alone
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def install(app: Flask) -> None:
    """Add the headers to every answer (a blueprint's own policy, set first, wins)."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":  # error pages too, whichever view (or none) answered
            response.headers.setdefault("Content-Security-Policy", PAGES_POLICY)
        return response
