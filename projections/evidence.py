"""Evidence: the developments behind a fact, kept bounded as history grows.

A fact keeps the newest ``KEEP`` development ids and the total count; answers
show the newest ``SHOW`` of them.  "Newest" is by the day a development had
certainly happened, then by id: never by the order developments were recorded
or folded in, so that the same developments recorded in any order cite the same
evidence (however many fall on one day).
"""

from __future__ import annotations

from typing import Any

KEEP = 50
SHOW = 20


def empty() -> dict[str, Any]:
    return {"ids": [], "days": [], "total": 0}


def cite(evidence: dict[str, Any], ids: list[str], day: str) -> None:
    """Add development ids of ``day`` (ISO) to an evidence record, in place, keeping it newest first.

    A development cited again is counted once and moves to its (new) day.
    """
    kept: list[str] = evidence["ids"]
    days: list[str] = evidence["days"]
    for ident in ids:
        if ident in kept:
            at = kept.index(ident)
            del kept[at], days[at]
        else:
            evidence["total"] += 1
        at = 0
        while at < len(kept) and (days[at], kept[at]) > (day, ident):
            at += 1
        kept.insert(at, ident)
        days.insert(at, day)
    del kept[KEEP:], days[KEEP:]


def shown(evidence: dict[str, Any]) -> dict[str, Any]:
    """The answer's form: ``{"ids": [...newest...], "total": n, "capped": bool}``."""
    ids = evidence["ids"][:SHOW]
    return {"ids": ids, "total": evidence["total"], "capped": evidence["total"] > len(ids)}
