"""OpenAPI components derived from the vocabulary, and the problem+json schema."""

from __future__ import annotations

import re
from typing import Any

from events.vocabulary.json_schema import submission_components
from service.api.consistency import PARAMETER as MIN_POSITION

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string", "description": "path of the field, such as data.called_by[1]"},
                    "message": {"type": "string"},
                    "index": {"type": "integer", "description": "the batch item (0-based)"},
                },
            },
        },
    },
}


def register_components(api: Any) -> None:
    """Add the submission's schemas (``Submission`` and what it refers to) and the problem's to the spec."""
    for name, schema in submission_components().items():
        api.spec.components.schema(name, component=schema)
    api.spec.components.schema("Problem", component=PROBLEM)


PROBLEM_RESPONSE = {
    "description": "a problem (RFC 9457)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def document_routes(app: Any, api: Any) -> None:
    """Mark token-protected operations and give every operation problem+json errors.

    Call after every blueprint is registered.  A view decorated with
    ``requires(role)`` carries ``_required_role``; its operation gets the bearer
    security requirement and 401/403 answers.
    """
    roles = _roles_by_operation(app)
    for path, operations in api.spec._paths.items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            responses["default"] = PROBLEM_RESPONSE
            for status in ("400", "404", "409", "413", "415", "422", "429", "500"):
                if status not in responses:
                    responses[status] = PROBLEM_RESPONSE
            for status, response in responses.items():
                if status != "default" and int(status) >= 400:  # every error is problem+json, whoever documented it
                    responses[status] = {**PROBLEM_RESPONSE, "description": response.get("description", "a problem")}
            role = roles.get((path, method))
            if role and not role.endswith("?"):
                operation["security"] = [{"bearer": []}]
                operation["description"] = (
                    operation.get("description", "") + f"\n\nNeeds a bearer token with the `{role}` role."
                ).strip()
                responses["401"] = PROBLEM_RESPONSE
                responses["403"] = PROBLEM_RESPONSE
            elif role:
                operation["security"] = [{}, {"bearer": []}]
                responses["401"] = PROBLEM_RESPONSE
                responses["403"] = PROBLEM_RESPONSE
            if method == "get" and path != "/healthz":  # every read: min_position, 503 when the read side lags
                operation.setdefault("parameters", []).append(MIN_POSITION)
                responses["503"] = {
                    **PROBLEM_RESPONSE,
                    "description": responses.get("503", {}).get("description")
                    or "the read side did not reflect min_position within READ_WAIT seconds",
                }


def _roles_by_operation(app: Any) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        view_class = getattr(view, "view_class", None)
        path = openapi_path(rule.rule)
        for method in rule.methods or ():
            handler = getattr(view_class, method.lower(), None) if view_class else view
            role = getattr(handler, "_required_role", None)
            if role:
                found[(path, method.lower())] = role
    return found


def openapi_path(rule: str) -> str:
    """A Flask rule (``/v1/events/<uuid:development_id>``) as its OpenAPI path (``/v1/events/{development_id}``)."""
    return _RULE_VARIABLE.sub(r"{\1}", rule)


_RULE_VARIABLE = re.compile(r"<(?:[^:>]+:)?([^>]+)>")
