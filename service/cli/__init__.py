"""The ``conflict-status`` command: a module per group of subcommands, gathered here."""

from __future__ import annotations

import click

from service.cli import audit, importing, projections, registries, serve, tokens, worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """An event-sourced record of diplomatic developments and the state of conflicts.

    The database is chosen by DATABASE_URL (sqlite:///path/to/file.db, the
    default being conflict-status.db in the working directory, or
    postgresql://user@host:port/db).
    """


for command in (
    serve.serve,
    importing.import_command,
    importing.export,
    tokens.token,
    audit.verify,
    audit.checkpoint,
    projections.rebuild,
    projections.replay,
    worker.project,
    registries.conflict,
    registries.actor,
):
    main.add_command(command)
