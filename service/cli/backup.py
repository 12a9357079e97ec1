"""``export --format backup`` and ``import --format backup``: a backup that restores the same chain head."""

from __future__ import annotations

from typing import IO

import click

from events.audit.restore import BackupProblem
from events.importers.backup import restore_backup, write_backup
from events.log.opening import open_log
from service.cli.common import catch_up_projections


def export_backup(database_url: str, output: IO[str]) -> None:
    """Write the whole log as a backup, and say what it holds."""
    log = open_log(database_url, create_tables=False)
    try:
        written = write_backup(log, output)
    except BackupProblem as e:
        raise click.ClickException(str(e)) from None
    finally:
        log.close()
    click.echo(f"backed up {written.records} records up to position {written.head}", err=True)
    click.echo(f"head hash {written.head_hash}", err=True)


def import_backup(database_url: str, stream: IO[str]) -> None:
    """Restore a backup into an empty database, and say what was restored."""
    log = open_log(database_url)
    try:
        restored = restore_backup(log, stream)
        catch_up_projections(log, database_url)
    except BackupProblem as e:
        raise click.ClickException(f"nothing was restored: {e}") from None
    finally:
        log.close()
    checkpoints = f"{restored.checkpoints} checkpoint{'' if restored.checkpoints == 1 else 's'}"
    click.echo(f"restored {restored.records} records and {checkpoints} up to position {restored.head}")
    click.echo(f"head hash {restored.head_hash}")
