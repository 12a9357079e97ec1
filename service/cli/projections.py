"""``conflict-status rebuild``: fold every projection again from the log."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from events.log.opening import open_log
from projections.audit import Auditor
from projections.database import open_database
from projections.items import pair_key
from projections.queries import ScopeNotFound
from projections.store import ProjectionStore
from service.cli.common import settings


@click.command()
def rebuild() -> None:
    """Forget the materialised projections and fold the whole log again."""
    chosen = settings()
    log = open_log(chosen.database_url)
    database = open_database(chosen.database_url)
    try:
        database.create_tables()
        started = time.perf_counter()
        reached = ProjectionStore(log, database).rebuild()
        seconds = time.perf_counter() - started
    finally:
        database.close()
        log.close()
    click.echo(f"rebuilt projections up to position {reached} in {seconds:.1f} s")


@click.command()
@click.option("--conflict", help="the conflict to replay")
@click.option("--agenda", help="the agenda to replay, as two actor codes: FRA,RUS")
@click.option("--after", default=0, show_default=True, type=click.IntRange(0), help="start after this log position")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1), help="at most this many steps")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="date of the world (default today)")
def replay(conflict: str | None, agenda: str | None, after: int, limit: int, as_of: Any) -> None:
    """Print a conflict's or agenda's history step by step: each development and what it changed."""
    if bool(conflict) == bool(agenda):
        raise click.UsageError("give either --conflict ID or --agenda A,B")
    scope = ("conflict", conflict) if conflict else ("agenda", pair_key(*str(agenda).upper().split(",", 1)))
    chosen = settings()
    log = open_log(chosen.database_url)
    database = open_database(chosen.database_url)
    try:
        database.create_tables()
        store = ProjectionStore(log, database)
        store.catch_up()  # a command on the primary may write; the reads it makes then fold no tail
        auditor = Auditor(store)
        steps, next_after, _ = auditor.replay(scope, after=after, limit=limit, as_of=as_of.date() if as_of else None)
    except ScopeNotFound as e:
        raise click.ClickException(str(e)) from None
    finally:
        database.close()
        log.close()
    for development, changes in steps:
        click.secho(f"#{development.position}  {development.occurred}  {development.type}", bold=True)
        click.echo(f"    {development.summary}")
        click.echo("    sources: " + "; ".join(s["name"] for s in development.sources))
        for change in changes:
            click.echo(f"    {change['field']}: {_shown(change['before'])} -> {_shown(change['after'])}")
    if next_after is not None:
        click.echo(f"(more: --after {next_after})")


def _shown(value: Any) -> str:
    return "-" if value is None else json.dumps(value, ensure_ascii=False)
