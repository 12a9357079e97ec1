"""Atom 1.0 documents of changes (``projections.changes``), made with feedgen.

Ids are ``urn:uuid:`` UUID5s of the log's origin (``LOG_ORIGIN``) and what they
name, so a feed's id and each entry's id are the same on every request and on
every replica: an entry is one development's change to one conflict or agenda
(``PositionChange.key``), and its ``updated`` is the development's record time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import url_for

from projections.changes import PositionChange
from projections.items import Scope

ATOM = "application/atom+xml"
#: the ``updated`` of a feed with no entry yet (Atom requires one; it must not change between requests)
NOTHING_YET = datetime(1970, 1, 1, tzinfo=UTC)


def urn(origin: str, name: str) -> str:
    """A stable id for what ``name`` names in the log called ``origin``."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{origin}/{name}')}"


def scope_label(scope: Scope) -> str:
    """``libya``, or ``FRA \u2013 RUS`` for an agenda."""
    if scope[0] == "agenda":
        a, _, b = scope[1].partition("-")
        return f"{a} \u2013 {b}"
    return scope[1]


def scope_page(scope: Scope) -> str:
    """The page of a conflict or agenda, as an absolute URL."""
    if scope[0] == "agenda":
        a, _, b = scope[1].partition("-")
        return url_for("pages.agenda", a=a, b=b, _external=True)
    return url_for("pages.conflict", conflict=scope[1], _external=True)


def step_page(change: PositionChange) -> str:
    """The audit page's step that shows this change, as an absolute URL."""
    kind, key = change.scope
    after = change.position - 1
    if kind == "agenda":
        a, _, b = key.partition("-")
        page = url_for("pages.agenda_audit", a=a, b=b, after=after, _external=True)
    else:
        page = url_for("pages.audit", conflict=key, after=after, _external=True)
    return f"{page}#step-{change.position}"


def change_lines(change: PositionChange) -> str:
    """The changed facts as plain text, one a line: ``ceasefire.status: agreed → violated``."""
    return "\n".join(f"{d['field']}: {_shown(d['before'])} → {_shown(d['after'])}" for d in change.differences)


def _shown(value: object) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def feed(
    changes: Sequence[PositionChange], *, origin: str, name: str, title: str, self_url: str, page_url: str
) -> bytes:
    """An Atom feed with one entry per change (newest first)."""
    fg = FeedGenerator()
    fg.id(urn(origin, name))
    fg.title(title)
    fg.author({"name": origin})
    fg.link(href=self_url, rel="self", type=ATOM)
    fg.link(href=page_url, rel="alternate", type="text/html")
    fg.updated(max((c.development.recorded_at for c in changes), default=NOTHING_YET))
    fg.generator("conflict-status")
    for change in changes:
        development = change.development
        entry = fg.add_entry(order="append")
        entry.id(urn(origin, f"changes/{change.key}"))
        entry.title(f"{scope_label(change.scope)}: {development.summary}")
        # one link: feedgen 1.0 writes an entry's links without their rel, so each would read as "alternate"
        entry.link(href=step_page(change), rel="alternate", type="text/html")
        entry.updated(development.recorded_at)
        entry.published(development.recorded_at)
        entry.summary(f"{development.type} ({development.occurred}) changed {scope_label(change.scope)}")
        page = url_for("pages.development", ident=development.id, _external=True)
        entry.content(f"{change_lines(change)}\n\nThe development: {page}", type="text")
        entry.category(term=change.scope[0], label=scope_label(change.scope))
    document: bytes = fg.atom_str(pretty=True)
    return document
