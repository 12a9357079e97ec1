"""Unknown query parameters are refused on every API route, with the names the route knows.

A misspelt parameter (``?asof=2020-01-15``) that is ignored answers a question
nobody asked (here: today's state) and nothing tells the analyst.  The query
parameters an operation takes are the ones the OpenAPI document lists for it,
which its query schema produced, so the document and the refusal cannot
disagree, and a route added later is covered without a line here.  Routes
outside the document (pages, ``/docs``, ``/openapi.json``, static files) are
not checked here: the pages decide for themselves (``service.pages.views``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from service.api.openapi import openapi_path
from service.problems import ApiProblem

#: (OpenAPI path, method) -> the names of its query parameters
Known = dict[tuple[str, str], tuple[str, ...]]


def known_parameters(spec: dict[str, Any]) -> Known:
    """The query parameters of every operation of an OpenAPI document."""
    known: Known = {}
    for path, operations in spec.get("paths", {}).items():
        shared = [p for p in operations.get("parameters", []) if p.get("in") == "query"]
        for method, operation in operations.items():
            if method == "parameters":
                continue
            parameters = [*shared, *(p for p in operation.get("parameters", []) if p.get("in") == "query")]
            known[(path, method.upper())] = tuple(dict.fromkeys(p["name"] for p in parameters))
    return known


def refusal(given: list[str], known: tuple[str, ...]) -> ApiProblem:
    """The 422 for query parameters the operation does not take: each named, with the ones it does."""
    takes = f"the parameters here are: {', '.join(known)}" if known else "this route takes no query parameters"
    unknown = [name for name in dict.fromkeys(given) if name not in known]
    errors = [{"field": name, "message": f"unknown query parameter; {takes}"} for name in unknown]
    names = ", ".join(f"'{name}'" for name in unknown)
    return ApiProblem(422, f"unknown query parameter{'s' if len(unknown) > 1 else ''} {names}; {takes}", errors)


def install(app: Flask, spec: dict[str, Any]) -> None:
    """Refuse, before any view runs, query parameters the document does not give the operation."""
    known = known_parameters(spec)

    @app.before_request
    def _refuse_unknown_query_parameters() -> None:
        if not request.args or request.url_rule is None:
            return
        method = "GET" if request.method == "HEAD" else request.method
        names = known.get((openapi_path(request.url_rule.rule), method))
        if names is None:  # not an API operation (a page, the docs), or OPTIONS
            return
        if any(name not in names for name in request.args):
            raise refusal(list(request.args), names)
