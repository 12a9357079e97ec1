"""Token lifetimes on both backends: expiry from the command line, revocation within the cache time, migration."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from service import tokens
from service.cli import main
from service.tokens import CACHE_SECONDS, TokenStore, parse_expiry


def cli(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url})
    return result.exit_code, result.stdout, result.stderr


def test_token_create_expires_after_a_duration_or_through_a_date_and_list_shows_it(database_url: str) -> None:
    code, secret, said = cli(database_url, "token", "create", "--role", "reader", "--expires", "90d")
    assert code == 0 and secret.strip().startswith("cs_") and said.startswith("expires ")
    info = TokenStore(database_url).verify(secret.strip())
    assert info is not None and info.expires_at is not None
    expected = datetime.now(UTC) + timedelta(days=90)
    assert abs(datetime.fromisoformat(info.expires_at) - expected) < timedelta(minutes=1)
    assert cli(database_url, "token", "create", "--role", "admin", "--expires", "2099-12-31")[0] == 0
    assert cli(database_url, "token", "create", "--role", "admin")[0] == 0
    listed = cli(database_url, "token", "list")[1]
    assert "expires 2100-01-01T00:00:00+00:00" in listed and f"expires {info.expires_at}" in listed
    assert "never expires" in listed and re.search(r"reader\s+live", listed)
    for wrong in ("2020-01-01", "tomorrow", "-5d"):
        code, _, said = cli(database_url, "token", "create", "--role", "reader", "--expires", wrong)
        assert code == 2 and "--expires" in said, said


def test_an_expired_token_is_refused_at_once_even_from_the_cache(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TokenStore(database_url)
    now = datetime.now(UTC)
    secret, _ = store.create("submitter", "soon", now + timedelta(minutes=5))
    assert store.verify(secret) is not None  # now cached
    monkeypatch.setattr(tokens, "_now", lambda: now + timedelta(minutes=5))
    assert store.verify(secret) is None
    info = store.lookup(secret)
    assert info is not None and info.state() == "expired"
    past, _ = store.create("reader", "gone", now - timedelta(seconds=1))
    assert store.verify(past) is None


def test_a_revoked_token_is_refused_by_every_process_within_the_cache_time(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, cli_process = TokenStore(database_url), TokenStore(database_url)
    secret, info = worker.create("reader")
    assert worker.verify(secret) is not None  # cached in the worker
    assert cli_process.revoke(info.id)
    clock = tokens.monotonic()
    monkeypatch.setattr(tokens, "monotonic", lambda: clock + CACHE_SECONDS - 1)
    assert worker.verify(secret) is not None  # still cached: the documented delay
    monkeypatch.setattr(tokens, "monotonic", lambda: clock + CACHE_SECONDS)
    assert worker.verify(secret) is None
    assert cli_process.verify(secret) is None  # the revoking process at once


def test_a_token_table_from_before_expiry_gains_the_column_and_keeps_its_tokens(database_url: str) -> None:
    store = TokenStore(database_url)
    with store._connect() as conn:
        conn.execute(
            store._sql(
                "CREATE TABLE {t} (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL,"
                " label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
            )
        )
        conn.execute(
            store._sql("INSERT INTO {t} VALUES (?,?,?,?,?,NULL)"),
            ("old", tokens._hash("cs_old-secret"), "admin", "from before", "2025-01-01T00:00:00+00:00"),
        )
    store.create_table()
    store.create_table()  # again: nothing to do
    old = store.verify("cs_old-secret")
    assert old is not None and old.expires_at is None and old.role == "admin"
    assert cli(database_url, "token", "list")[1].count("never expires") == 1


def test_durations_dates_and_moments_read_as_expiry_times() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert parse_expiry("1w2d", now) == now + timedelta(days=9)
    assert parse_expiry("12h", now) == now + timedelta(hours=12)
    assert parse_expiry("2026-12-31", now) == datetime(2027, 1, 1, tzinfo=UTC)
    assert parse_expiry("2026-12-31T18:00:00+02:00", now) == datetime(2026, 12, 31, 16, tzinfo=UTC)
    for wrong, why in (("0s", "not in the future"), ("9999-12-31", "further away"), ("soon", "neither")):
        with pytest.raises(ValueError, match=why):
            parse_expiry(wrong, now)
