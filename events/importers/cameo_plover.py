"""The published CAMEO-to-PLOVER conversion table, read from its text file.

Lines read ``<cameo>: <PLOVER EVENT>, <mode>, <context>[; context] # <CAMEO label>``
(``CAMEO2PLOVER-2021.txt`` of openeventdata/PLOVER, CC BY-SA 4.0).  The table ships
with the service (``gdelt_codes.shipped_cameo_table``, read by ``--format gdelt``); the
``plover`` path's CAMEO rows take it from ``--cameo-table``.  A code missing
from the table falls back to its three- and then two-digit parent; CAMEO roots 01
and 02 are absent from the table (PLOVER dropped them), so their rows have no
PLOVER category and are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from events.importers.plan import ImportProblem

_LINE = re.compile(r"^\s*(\d{2,4})\s*:\s*([A-Z]+)\s*(?:,([^,#]*))?(?:,([^#]*))?(?:#\s*(.*))?$")


@dataclass(frozen=True, slots=True)
class PloverCode:
    """What a CAMEO code means in PLOVER: event, mode and contexts, and the CAMEO label."""

    cameo: str
    event: str
    mode: str
    contexts: tuple[str, ...]
    label: str


CameoTable = dict[str, PloverCode]


def read_cameo_table(text: str) -> CameoTable:
    """Parse the table; the first line for a code wins (the file repeats a few)."""
    table: CameoTable = {}
    for line in text.splitlines():
        if line.lstrip().startswith(("#", "~")) or not line.strip():
            continue
        match = _LINE.match(line)
        if not match:
            continue
        code, event, mode, contexts, label = match.groups()
        table.setdefault(
            code,
            PloverCode(
                cameo=code,
                event=event,
                mode=(mode or "").strip(),
                contexts=tuple(c.strip() for c in (contexts or "").split(";") if c.strip()),
                label=(label or "").strip(),
            ),
        )
    if not table:
        raise ImportProblem("the CAMEO-to-PLOVER table holds no line of the form '<cameo>: <EVENT>, <mode>, <context>'")
    return table


def lookup(table: CameoTable, code: str) -> PloverCode | None:
    """The entry for a CAMEO code, or for its nearest parent in the table."""
    code = code.strip()
    for candidate in (code, code[:3], code[:2]):
        if len(candidate) >= 2 and candidate in table:
            return table[candidate]
    return None
