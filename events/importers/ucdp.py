"""What the UCDP data sets share: state numbers and actor ids as actor codes, cell readers."""

from __future__ import annotations

from datetime import date

from events.importers import gleditsch_ward
from events.importers.plan import Registrations, RowProblem

SCHEME = "ucdp"


def states(cell: str, column: str, registrations: Registrations, day: date) -> list[str]:
    """The ISO codes of the Gleditsch-Ward state numbers in ``cell`` (registering historical ones)."""
    try:
        found = gleditsch_ward.numbers(cell)
    except ValueError as e:
        raise RowProblem(f"'{e}' is not a Gleditsch-Ward state number", column) from None
    codes = []
    for number in found:
        try:
            code, name = gleditsch_ward.state(number)
        except KeyError:
            raise RowProblem(f"{number} is not a Gleditsch-Ward state number this importer knows", column) from None
        if name is not None:
            registrations.actor(f"gw:state:{number}", code, name, "state", day)
        if code not in codes:
            codes.append(code)
    return codes


def group(actor_id: str, name: str, column: str, registrations: Registrations, day: date) -> str:
    """The code of a non-state actor, ``UCDP-<actor id>``, registered as a group on first use."""
    ident = actor_id.strip()
    if ident.endswith(".0"):
        ident = ident[:-2]
    if not ident.isdigit():
        raise RowProblem(f"'{actor_id[:40]}' is not a UCDP actor id", column)
    return registrations.actor(f"{SCHEME}:actor:{ident}", f"UCDP-{ident}", name or f"UCDP actor {ident}", "group", day)


def upstream_id(cell: str, column: str) -> str:
    """A UCDP numeric id (``13246``; ``13246.0`` as spreadsheets write it)."""
    value = cell.strip()
    if value.endswith(".0"):
        value = value[:-2]
    if not value.isdigit():
        raise RowProblem(f"'{cell[:40]}' is not a UCDP id", column)
    return value


def count(cell: str, column: str) -> int:
    """A whole number of deaths (``12``, ``12.0``)."""
    value = cell.strip()
    try:
        number = float(value)
    except ValueError:
        raise RowProblem(f"expected a whole number, got '{value[:40]}'", column) from None
    if number != int(number) or number < 0:
        raise RowProblem(f"expected a whole number, got '{value[:40]}'", column)
    return int(number)


def flag(cell: str, column: str) -> bool:
    """A provision dummy: 1/0 (also 1.0, true/false, yes/no); empty means 0."""
    value = cell.strip().lower()
    if value in ("1", "1.0", "true", "yes", "y"):
        return True
    if value in ("", "0", "0.0", "false", "no", "n"):
        return False
    raise RowProblem(f"expected 1 or 0, got '{cell[:40]}'", column)


def split_names(cell: str, count: int) -> list[str] | None:
    """Split a comma-joined list of ``count`` names, some of which may hold commas themselves.

    Pieces inside unbalanced parentheses are joined first; any pieces left over
    are joined into the last name.  None when there are fewer pieces than names.
    """
    pieces: list[str] = []
    for piece in cell.split(","):
        if pieces and pieces[-1].count("(") > pieces[-1].count(")"):
            pieces[-1] += "," + piece
        else:
            pieces.append(piece)
    names = [p.strip() for p in pieces]
    if len(names) < count:
        return None
    if len(names) > count:
        names = [*names[: count - 1], ", ".join(names[count - 1 :])]
    return names
