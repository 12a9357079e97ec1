"""Evidence: the developments behind a fact, kept bounded as history grows.

A fact keeps the newest ``KEEP`` development ids and the total count; answers
show the newest ``SHOW`` of them.
"""

from __future__ import annotations

from typing import Any

KEEP = 50
SHOW = 20


def empty() -> dict[str, Any]:
    return {"ids": [], "total": 0}


def cite(evidence: dict[str, Any], ids: list[str]) -> None:
    """Add development ids (newest first) to an evidence record, in place."""
    for ident in ids:
        if ident in evidence["ids"]:
            evidence["ids"].remove(ident)
        else:
            evidence["total"] += 1
        evidence["ids"].insert(0, ident)
    del evidence["ids"][KEEP:]


def shown(evidence: dict[str, Any]) -> dict[str, Any]:
    """The answer's form: ``{"ids": [...newest...], "total": n, "capped": bool}``."""
    ids = evidence["ids"][:SHOW]
    return {"ids": ids, "total": evidence["total"], "capped": evidence["total"] > len(ids)}
