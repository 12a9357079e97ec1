"""``conflict-status conflict register`` and ``actor register``: the registrations the API takes, from a shell.

Each submits the same development a client would POST to ``/v1/events`` (a
``ConflictRegistered`` or an ``ActorRegistered``) under the idempotency key
``conflict:<id>`` or ``actor:<code>``: running the same command again changes
nothing, and a taken id or a wrong field is refused with the option it came from.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import click

from events.log.application import ConflictLog
from events.log.opening import open_log
from events.vocabulary.errors import IdConflict, InvalidDevelopment, Problem, UnknownReference
from service.cli.common import catch_up_projections, settings

#: the data field a problem names → the option it came from
OPTIONS = {
    "data.conflict": "SLUG",
    "data.actor": "CODE",
    "data.name": "--name",
    "data.kind": "--kind",
    "data.region": "--region",
    "data.parties": "--party",
    "data.territory": "--territory",
    "data.external_ids": "--external-id",
    "data.began": "--began",
    "occurred": "--occurred",
    "sources": "--source",
}


@click.group()
def conflict() -> None:
    """Conflicts: register one, so that developments and imports can name it."""


@conflict.command("register")
@click.argument("slug")
@click.option("--name", required=True, help="the conflict's name, such as 'Eastern Ukraine'")
@click.option(
    "--territory",
    multiple=True,
    help="ISO 3166-1 alpha-3 code of a country where it is fought (repeat for several); "
    "imports that place rows by country (acled, gdelt) use it",
)
@click.option(
    "--external-id",
    "external_ids",
    multiple=True,
    help="its id in a data set, such as ucdp:13306 (repeat for several); imports find it by it",
)
@click.option("--region", help="the region, such as Europe")
@click.option("--party", "parties", multiple=True, help="a party's actor code, such as UKR (repeat for several)")
@click.option("--began", help="when it began, as EDTF (2014-04)")
@click.option("--occurred", help="the registration's date, as EDTF [default: --began, else today]")
@click.option("--source", default="conflict-status command line", show_default=True, help="who says so")
def register_conflict(
    slug: str,
    name: str,
    territory: tuple[str, ...],
    external_ids: tuple[str, ...],
    region: str | None,
    parties: tuple[str, ...],
    began: str | None,
    occurred: str | None,
    source: str,
) -> None:
    """Register the conflict SLUG (a lowercase id such as ukraine-east), as a ConflictRegistered."""
    data: dict[str, Any] = {"conflict": slug, "name": name}
    if region:
        data["region"] = region
    if parties:
        data["parties"] = list(parties)
    if external_ids:
        data["external_ids"] = list(external_ids)
    if territory:
        data["territory"] = [code.upper() for code in territory]
    if began:
        data["began"] = began
    raw = {
        "type": "ConflictRegistered",
        "occurred": occurred or began or _today(),
        "sources": [{"name": source}],
        "summary": f"The conflict {name} is registered as {slug}.",
        "data": data,
    }
    _submit(raw, f"conflict:{slug}", f"conflict {slug}")


@click.group()
def actor() -> None:
    """Actors: register an organisation or group (states are known by their ISO codes)."""


@actor.command("register")
@click.argument("code")
@click.option("--name", required=True, help="the actor's name, such as 'UN Security Council'")
@click.option(
    "--kind",
    type=click.Choice(["organisation", "group", "state"]),
    default="organisation",
    show_default=True,
    help="what it is",
)
@click.option("--occurred", help="the registration's date, as EDTF [default: today]")
@click.option("--source", default="conflict-status command line", show_default=True, help="who says so")
def register_actor(code: str, name: str, kind: str, occurred: str | None, source: str) -> None:
    """Register the actor CODE (such as UNSC or EU), as an ActorRegistered."""
    raw = {
        "type": "ActorRegistered",
        "occurred": occurred or _today(),
        "sources": [{"name": source}],
        "summary": f"{name} is registered as {'an' if kind == 'organisation' else 'a'} {kind}, {code}.",
        "data": {"actor": code, "name": name, "kind": kind},
    }
    _submit(raw, f"actor:{code}", f"actor {code}")


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _submit(raw: dict[str, Any], key: str, what: str) -> None:
    """Submit one registration; its outcome on stdout, or an error naming each option at fault."""
    log: ConflictLog = open_log(settings().database_url)
    try:
        try:
            receipt = log.submit(raw, key=key)
        except (InvalidDevelopment, UnknownReference) as e:
            raise click.ClickException(_problems(e.problems)) from None
        except IdConflict as e:
            why = _problems(e.problems) if e.problems else e.detail
            raise click.ClickException(f"{what} is already registered, with other content ({why})") from None
        catch_up_projections(log, settings().database_url)
    finally:
        log.close()
    development = receipt.development
    if receipt.created:
        click.echo(f"registered {what} (development {development.id}, position {development.position})")
    else:
        click.echo(f"{what} was already registered so (development {development.id}); nothing changed")


def _problems(problems: list[Problem]) -> str:
    return "; ".join(f"{_option(p.field)}: {p.message}" for p in problems)


def _option(field: str) -> str:
    """``data.territory[1]`` → ``--territory[1]``."""
    base = re.sub(r"\[\d+\]$", "", field)
    option = OPTIONS.get(base)
    return field.replace(base, option, 1) if option else field
