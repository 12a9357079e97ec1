"""What the page "What changed between two dates" shows: ``GET /v1/changes``, for people.

The page calls the same code as the API (``projections.changes``); a point that
cannot be read, or that comes after the other, is shown as a notice beside the
form, which keeps what was typed.  With no ``from`` the page asks about the last
30 days, to today.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import url_for

from events.vocabulary.errors import DomainError
from projections.audit import Side
from projections.changes import Changes, parse_scope
from projections.queries import today
from service.api.atom import scope_label
from service.pages.models import Developments
from service.runtime import runtime

#: conflicts and agendas compared on one page
PAGE_SCOPES = 100
#: how far back the page looks when no ``from`` is given
DEFAULT_DAYS = 30


def _link(kind: str, key: str) -> str:
    if kind == "agenda":
        a, _, b = key.partition("-")
        return url_for("pages.agenda", a=a, b=b)
    return url_for("pages.conflict", conflict=key)


def changes_page(given_from: str, given_to: str, after: str) -> dict[str, Any]:
    """The form's values, and the conflicts and agendas that changed between them (or why it could not tell)."""
    shown_from = given_from or (today() - timedelta(days=DEFAULT_DAYS)).isoformat()
    shown_to = given_to or today().isoformat()
    model: dict[str, Any] = {"from_": shown_from, "to": shown_to, "after": after, "error": "", "changed": []}
    try:
        if after:
            parse_scope(after)
        found = Changes(runtime().queries.store).between(
            Side.parse(shown_from), Side.parse(shown_to), after=after or None, limit=PAGE_SCOPES
        )
    except (ValueError, DomainError) as e:
        model["error"] = str(e)
        return model
    developments = Developments()
    model.update(
        described_from=found.first,
        described_to=found.second,
        examined=found.examined,
        candidates=found.candidates,
        next_after=found.next_after,
        changed=[
            {
                "kind": c.scope[0],
                "label": scope_label(c.scope),
                "url": _link(*c.scope),
                "differences": [{**d, "evidence": developments.evidence(list(d["evidence"]))} for d in c.differences],
            }
            for c in found.changed
        ],
    )
    return model
