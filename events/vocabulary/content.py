"""A development's content: what its submitter says, declared once.

``Content`` holds the fields of a development's content in the order of the
vocabulary's envelope (``event_types.envelope_fields``, which checks each one and
gives its JSON schema); a test holds the two to the same names.  Everything that
carries content derives from it: the checked draft (``validation.Draft``), the
stored event (``log.development.Development.Recorded``), the development read
back (``log.development.RecordedDevelopment``) and the API's answer schema.
``content()`` is the mapping that idempotency digests and corrections carry.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Content:
    """The content fields of a development, with the first and last day its ``occurred`` allows."""

    type: str
    occurred: str
    conflicts: list[str]
    actors: list[str]
    persons: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    summary: str
    data: dict[str, Any]
    #: the upstream data set row of an imported development (``event_types.ORIGIN``); absent otherwise
    origin: dict[str, Any] | None = None
    earliest: date
    latest: date

    def content(self) -> dict[str, Any]:
        """The submitted content, normalised, without the id: what idempotency compares.

        ``origin`` appears only when given, so that developments without one keep
        the digest they always had.
        """
        out = {name: getattr(self, name) for name in SUBMITTED}
        if self.origin is None:
            del out["origin"]
        return out


#: the fields a submitter gives, in the envelope's order
SUBMITTED: tuple[str, ...] = tuple(f.name for f in fields(Content) if f.name not in ("earliest", "latest"))


def content_fields(source: dict[str, Any]) -> dict[str, Any]:
    """The content fields of a mapping that holds them (a decoded event, say); ``origin`` may be missing."""
    out = {name: source[name] for name in SUBMITTED if name != "origin"}
    out["origin"] = source.get("origin") or None
    return out
