"""Fixtures shared by the suite: a fresh database per test, on SQLite and PostgreSQL.

``database_url`` is parametrised by backend.  PostgreSQL tests use a schema of
their own in the database named by ``TEST_POSTGRES_URL`` (default
postgresql://postgres@127.0.0.1:5432/test).  Where PostgreSQL does not answer
they skip with the reason, unless ``REQUIRE_POSTGRES=1`` (CI), where they fail.
``standby`` is a streaming hot standby of that cluster (``tests.standby``), made
once per session for the tests that ask for it, where the cluster is local.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from events.log.application import ConflictLog
from events.log.opening import open_log
from service.app import create_app
from service.settings import Settings
from service.tokens import TokenStore
from tests.standby import Standby, StandbyUnavailable, streaming_standby

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES", "") in ("1", "true", "yes")
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SEED = Path(__file__).resolve().parents[1] / "service" / "examples" / "seed-article.ndjson"

_postgres_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used (None when it can), checked once per session."""
    if "why" not in _postgres_state:
        try:
            import psycopg

            with psycopg.connect(POSTGRES_URL, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _postgres_state["why"] = None
        except Exception as e:
            _postgres_state["why"] = f"PostgreSQL at {POSTGRES_URL} does not answer ({type(e).__name__})"
    return _postgres_state["why"]


def require_postgres() -> None:
    why = postgres_unavailable()
    if why is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"{why}, and REQUIRE_POSTGRES is set")
    pytest.skip(why)


def new_postgres_schema() -> str:
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The name of a fresh PostgreSQL schema, dropped afterwards (a skip, or in CI a failure, without PostgreSQL)."""
    require_postgres()
    schema = new_postgres_schema()
    try:
        yield schema
    finally:
        drop_postgres_schema(schema)


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema, dropped afterwards."""
    with postgres_schema() as schema:
        yield postgres_url(schema)


def drop_postgres_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def postgres_url(schema: str) -> str:
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}schema={schema}&pool_size=2&max_overflow=4"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'log.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def standby() -> Iterator[Standby]:
    """A hot standby of the test cluster (a skip with the reason where none can be made; in CI a failure)."""
    require_postgres()
    try:
        made = streaming_standby(POSTGRES_URL)
        running = made.__enter__()
    except StandbyUnavailable as e:
        if REQUIRE_POSTGRES:
            pytest.fail(f"no standby of the test cluster: {e}; REQUIRE_POSTGRES is set")
        pytest.skip(f"no standby of the test cluster: {e}")
    try:
        yield running
    finally:
        made.__exit__(None, None, None)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database (for tests that need only one backend)."""
    return f"sqlite:///{tmp_path / 'log.db'}"


@pytest.fixture
def log(database_url: str) -> Iterator[ConflictLog]:
    app = open_log(database_url)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    with app_for(Settings(database_url=database_url)) as flask_app:
        yield flask_app


@contextmanager
def app_for(settings: Settings) -> Iterator[Flask]:
    """The app in testing mode for these settings, its log closed afterwards."""
    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    try:
        yield flask_app
    finally:
        flask_app.extensions["conflict_status"].close()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def make_token(database_url: str, role: str) -> str:
    secret, _ = TokenStore(database_url).create(role, "test")
    return secret


@pytest.fixture
def auth(database_url: str):  # type: ignore[no-untyped-def]
    """auth('submitter') -> headers with a fresh bearer token of that role."""

    def headers(role: str = "submitter") -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(database_url, role)}"}

    return headers


def run_in_threads(work: Callable[[int], None], threads: int = 4) -> None:
    """Run ``work(n)`` for n in 0..threads-1 at once; re-raise the first error any of them met."""
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n)
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)

    started = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    if errors:
        raise errors[0]


def seed_lines() -> list[str]:
    return [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
