"""Check a submitted development against the vocabulary and normalise it.

``check_development`` needs nothing but the JSON value: references to conflicts,
actors and earlier developments are collected, and the log looks them up.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import orjson

from events.vocabulary.content import Content
from events.vocabulary.errors import FieldError, InvalidDevelopment, Problem
from events.vocabulary.event_types import NEEDS_CONFLICT, RECORD_KEEPING, TYPES, envelope_fields
from events.vocabulary.kinds import Context, Reference
from events.vocabulary.occurred import parse_occurred
from events.vocabulary.records import AnyObject, Record

_ENVELOPE = Record(envelope_fields(AnyObject()))
#: how far past today a development's ``occurred`` may end (a typo such as 2202 for 2022 is refused)
FUTURE_SLACK_DAYS = 366


@dataclass(frozen=True, kw_only=True)
class Draft(Content):
    """A development that passed the vocabulary, ready for reference checks and the log."""

    client_id: str | None = None
    references: list[Reference] = field(default_factory=list, compare=False)

    def digest(self) -> str:
        """SHA-256 of ``content()`` as sorted, compact JSON: what idempotency compares.

        Content holds only strings, whole numbers, booleans, lists and objects, for
        which sorted compact JSON is canonical; it is computed once per draft (the
        hash chain, not this digest, uses RFC 8785).
        """
        cached: str | None = self.__dict__.get("_digest")
        if cached is None:
            cached = hashlib.sha256(sorted_json(self.content())).hexdigest()
            object.__setattr__(self, "_digest", cached)
        return cached


def sorted_json(value: Any) -> bytes:
    """Sorted, compact, unescaped UTF-8 JSON, as ``json.dumps`` writes it (orjson: ten times faster).

    orjson refuses what it cannot write the same way (integers beyond 64 bits,
    lone surrogates); those go through ``json.dumps``.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def check_development(raw: Any, path: str = "") -> Draft:
    """Return the normalised development, or raise ``InvalidDevelopment`` listing every problem."""
    ctx = Context()
    errors: list[FieldError] = []
    envelope = _ENVELOPE.check_collecting(raw, path, ctx, errors)
    prefix = f"{path}." if path else ""
    kind = envelope.get("type")
    data: dict[str, Any] = {}
    if kind is not None and isinstance(raw, dict) and isinstance(raw.get("data"), dict):
        data = TYPES[kind].check_collecting(raw["data"], f"{prefix}data", ctx, errors)
        if kind == "DevelopmentCorrected" and "replacement" in data:
            data["replacement"] = _check_replacement(raw["data"]["replacement"], f"{prefix}data.replacement", errors)
    if errors:
        raise InvalidDevelopment([Problem(e.field, e.message) for e in errors])
    assert kind is not None
    conflicts = envelope.get("conflicts", [])
    if kind == "ConflictRegistered":
        own = data["conflict"]
        if conflicts not in ([], [own]):
            raise InvalidDevelopment(
                [Problem(f"{prefix}conflicts", f"a ConflictRegistered concerns only its own conflict '{own}'")]
            )
        conflicts = [own]
    occurred = parse_occurred(envelope["occurred"], f"{prefix}occurred")
    draft = Draft(
        type=kind,
        occurred=occurred.text,
        earliest=occurred.earliest,
        latest=occurred.latest,
        conflicts=conflicts,
        actors=envelope.get("actors", []),
        persons=envelope.get("persons", []),
        sources=envelope["sources"],
        summary=envelope["summary"],
        data=data,
        client_id=envelope.get("id"),
        references=ctx.references,
        origin=envelope.get("origin"),
    )
    _check_coherence(draft, prefix)
    return draft


def _check_replacement(raw: Any, path: str, errors: list[FieldError]) -> dict[str, Any]:
    """A replacement is a whole development (without id) of a type that can be corrected."""
    if isinstance(raw, dict) and "id" in raw:
        errors.append(FieldError(f"{path}.id", "a replacement takes the id of the development it corrects; omit id"))
        return {}
    try:
        replacement = check_development(raw, path)
    except InvalidDevelopment as e:
        errors.extend(FieldError(p.field, p.message) for p in e.problems)
        return {}
    if replacement.type in RECORD_KEEPING:
        errors.append(FieldError(f"{path}.type", "a correction or retraction cannot itself be corrected"))
        return {}
    return replacement.content()


def _check_coherence(draft: Draft, prefix: str) -> None:
    """Rules across fields: the conflicts a type needs, and a date of the world that has come.

    Actors named in ``data`` or ``persons`` need not be repeated in ``actors``
    (``events.vocabulary.actors``): each is checked where it is named.
    """
    problems: list[Problem] = []
    if draft.type in NEEDS_CONFLICT and not draft.conflicts:
        problems.append(Problem(f"{prefix}conflicts", f"a {draft.type} names at least one conflict"))
    horizon = date.today() + timedelta(days=FUTURE_SLACK_DAYS)
    if draft.latest > horizon:
        problems.append(
            Problem(
                f"{prefix}occurred",
                f"'{draft.occurred}' ends after {horizon.isoformat()}: a development reports what happened "
                "(a date still to come belongs in its data, such as a SummitScheduled's date)",
            )
        )
    if problems:
        raise InvalidDevelopment(problems)
