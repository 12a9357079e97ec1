"""What every command shares: the settings, read once, with a usage error when they are wrong."""

from __future__ import annotations

import click

from service.settings import Settings, SettingsError

#: ``verify``'s exit codes beside 0: the log is broken; it cannot tell
BROKEN, UNVERIFIABLE = 1, 2


def settings() -> Settings:
    """The settings from the environment, or a usage error naming the bad variable."""
    try:
        return Settings.from_env()
    except SettingsError as e:
        raise click.UsageError(str(e)) from None
