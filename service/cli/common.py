"""What every command shares: the settings, read once, with a usage error when they are wrong."""

from __future__ import annotations

import click

from events.log.application import ConflictLog
from projections.database import open_database
from projections.store import ProjectionStore
from service.settings import Settings, SettingsError

#: ``verify``'s exit codes beside 0: the log is broken; it cannot tell
BROKEN, UNVERIFIABLE = 1, 2


def catch_up_projections(log: ConflictLog, database_url: str) -> int:
    """Bring the projections up to the log's head, as every writer does after appending; the position reached.

    Reads never write: what a command appended would otherwise be folded in
    memory by every read until a serve process or the projection worker catches up.
    """
    database = open_database(database_url)
    try:
        database.create_tables()
        return ProjectionStore(log, database).catch_up()
    finally:
        database.close()


def settings() -> Settings:
    """The settings from the environment, or a usage error naming the bad variable."""
    try:
        return Settings.from_env()
    except SettingsError as e:
        raise click.UsageError(str(e)) from None
