"""``conflict-status rebuild``: fold every projection again from the log."""

from __future__ import annotations

import time

import click

from events.log import open_log
from projections.database import open_database
from projections.store import ProjectionStore
from service.settings import Settings, SettingsError


@click.command()
def rebuild() -> None:
    """Forget the materialised projections and fold the whole log again."""
    try:
        settings = Settings.from_env()
    except SettingsError as e:
        raise click.UsageError(str(e)) from None
    log = open_log(settings.database_url)
    database = open_database(settings.database_url)
    try:
        database.create_tables()
        started = time.perf_counter()
        reached = ProjectionStore(log, database).rebuild()
        seconds = time.perf_counter() - started
    finally:
        database.close()
        log.close()
    click.echo(f"rebuilt projections up to position {reached} in {seconds:.1f} s")
