"""``export --format backup`` and ``import --format backup``: a backup that restores the same chain head.

See ``events.restore``: the backup carries every stored event as the log holds
it, and every signed checkpoint; the import writes them, verbatim, into an empty
database, recomputing the chain, so that ``verify`` afterwards meets the same
head hash and the checkpoints signed before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import click

from events.audit.restore import BackupProblem, backup_lines, restore
from events.log.opening import open_log


def write_backup(database_url: str, output: IO[str]) -> None:
    log = open_log(database_url, create_tables=False)
    count = 0
    try:
        for line in backup_lines(log):
            output.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += "record" in line
            if "end" in line:
                click.echo(f"backed up {count} records up to position {line['end']['head']}", err=True)
                click.echo(f"head hash {line['end']['head_hash']}", err=True)
    except BackupProblem as e:
        raise click.ClickException(str(e)) from None
    finally:
        log.close()


def _lines(stream: IO[str]) -> Iterator[Any]:
    for number, text in enumerate(stream, start=1):
        if text.strip():
            try:
                yield json.loads(text)
            except json.JSONDecodeError as e:
                raise BackupProblem(f"line {number}: malformed JSON: {e.msg}") from None


def restore_backup(database_url: str, stream: IO[str]) -> None:
    log = open_log(database_url)
    try:
        restored = restore(log, _lines(stream))
    except BackupProblem as e:
        raise click.ClickException(f"nothing was restored: {e}") from None
    finally:
        log.close()
    click.echo(
        f"restored {restored.records} records and {restored.checkpoints} checkpoints up to position {restored.head}"
    )
    click.echo(f"head hash {restored.head_hash}")
