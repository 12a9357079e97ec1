"""Security: tokens at rest, every protected route, CORS, rate limits."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from events.log.database_url import sqlite_path
from service import tokens
from service.app import create_app
from service.settings import Settings
from tests.api.test_api_events import CALL, is_problem
from tests.conftest import make_token

#: a role that does not grant the required one, for each role a route may require
WRONG_ROLE = {"submitter": "auditor", "auditor": "submitter", "admin": "submitter"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def protected_operations(app: Flask) -> list[tuple[str, str, str]]:
    """(method, path with sample arguments, required role) of every operation of the app that needs a token.

    Fails for a write operation that is not marked with ``requires(role)``.
    """
    found, unmarked = [], []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", str(uuid.uuid4())).replace(f"<path:{argument}>", "x")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower(), None) if view_class else view
            role = getattr(handler, "_required_role", None)
            if role and not role.endswith("?"):
                found.append((method, path, role))
            elif method in WRITE_METHODS:
                unmarked.append(f"{method} {rule.rule}")
    assert not unmarked, f"write routes without requires(role): {unmarked}"
    return found


def test_tokens_are_stored_as_sha256_hashes_never_as_the_secret(sqlite_url: str) -> None:
    secret = make_token(sqlite_url, "submitter")
    with sqlite3.connect(sqlite_path(sqlite_url)) as conn:
        rows = conn.execute("SELECT * FROM api_tokens").fetchall()
    assert len(rows) == 1
    assert all(secret not in str(column) for column in rows[0])
    assert hashlib.sha256(secret.encode()).hexdigest() in rows[0]


def test_a_presented_token_is_compared_in_constant_time(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = make_token(sqlite_url, "reader")
    compared: list[tuple[str, str]] = []
    real = tokens.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    store = tokens.TokenStore(sqlite_url)
    assert store.verify(secret) is not None
    assert compared == [(hashlib.sha256(secret.encode()).hexdigest(),) * 2]
    assert store.verify(secret + "x") is None


def test_every_write_and_audit_route_refuses_a_missing_token_and_a_wrong_role(
    app: Flask, client: Any, database_url: str
) -> None:
    operations = protected_operations(app)
    assert {("POST", "/v1/events"), ("POST", "/v1/events/batch"), ("GET", "/v1/audit/verify")} <= {
        (m, p) for m, p, _ in operations
    }
    wrong = {role: {"Authorization": f"Bearer {make_token(database_url, WRONG_ROLE[role])}"} for role in WRONG_ROLE}
    for method, path, role in operations:
        missing = client.open(path, method=method, json=CALL)
        assert missing.status_code == 401, f"{method} {path} without a token: {missing.status_code}"
        is_problem(missing, 401)
        assert missing.headers["WWW-Authenticate"].startswith("Bearer")
        refused = client.open(path, method=method, json=CALL, headers=wrong[role])
        assert refused.status_code == 403, f"{method} {path} with a {WRONG_ROLE[role]} token: {refused.status_code}"
        is_problem(refused, 403)


def test_the_readme_names_every_route_that_needs_a_token_with_its_role(app: Flask) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/\S*)` \| (\w+) \|$", readme, re.MULTILINE))
    needed = set()
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            role = getattr(getattr(view_class, method.lower(), None), "_required_role", "")
            if role and not role.endswith("?"):
                needed.add((method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), role))
    assert listed == needed, f"README.md's table of routes that need a token: {sorted(listed ^ needed)} differ"


def test_every_read_route_needs_a_reader_token_when_reads_are_closed(database_url: str) -> None:
    closed = create_app(Settings(database_url=database_url, reads_need_token=True))
    try:
        client = closed.test_client()
        reads = [
            rule.rule
            for rule in closed.url_map.iter_rules()
            if getattr(getattr(closed.view_functions[rule.endpoint], "view_class", None), "get", None) is not None
            and getattr(closed.view_functions[rule.endpoint].view_class.get, "_required_role", "") == "reader?"
            and not rule.arguments
        ]
        assert "/v1/events" in reads and "/v1/conflicts" in reads
        for path in reads:
            is_problem(client.get(path), 401)
    finally:
        closed.extensions["conflict_status"].close()


def test_cors_is_off_unless_origins_are_configured(sqlite_url: str) -> None:
    default = create_app(Settings(database_url=sqlite_url)).test_client()
    answer = default.get("/healthz", headers={"Origin": "https://desk.example"})
    assert "Access-Control-Allow-Origin" not in answer.headers

    configured = create_app(Settings(database_url=sqlite_url, cors_origins=("https://desk.example",))).test_client()
    allowed = configured.get("/healthz", headers={"Origin": "https://desk.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://desk.example"
    preflight = configured.options(
        "/v1/events",
        headers={
            "Origin": "https://desk.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://desk.example"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    other = configured.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_client_past_its_rate_limit_gets_429_problem_json_and_a_token_has_its_own_budget(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, rate_limit="3/minute"))
    client = app.test_client()
    try:
        assert [client.get("/v1/events").status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get("/v1/events")
        body = is_problem(limited, 429)
        assert body["type"].endswith("/rate-limited") and int(limited.headers["Retry-After"]) > 0
        made_up = client.get("/v1/events", headers={"Authorization": "Bearer cs_made-up"})
        assert made_up.status_code == 429  # an invalid token counts against the address
        reader = {"Authorization": f"Bearer {make_token(sqlite_url, 'reader')}"}
        assert client.get("/v1/events", headers=reader).status_code == 200
        assert client.get("/healthz").status_code == 200  # the health check is never limited
    finally:
        app.extensions["conflict_status"].close()


def test_no_rate_limit_is_applied_by_default(client: Any) -> None:
    assert {client.get("/v1/events").status_code for _ in range(30)} == {200}


def test_an_expired_or_revoked_token_is_a_401_that_says_which(app: Flask, client: Any, database_url: str) -> None:
    store = tokens.TokenStore(database_url)
    expired, _ = store.create("submitter", "expired", datetime.now(UTC) - timedelta(seconds=1))
    revoked, info = store.create("submitter", "revoked")
    app.extensions["conflict_status"].tokens.revoke(info.id)  # this process: at once
    for secret, said in ((expired, "expired at"), (revoked, "revoked"), ("cs_nothing", "not valid")):
        answer = client.post("/v1/events", json=CALL, headers={"Authorization": f"Bearer {secret}"})
        assert said in is_problem(answer, 401)["detail"]
