"""PLOVER events, however they were read, mapped to the closest development type (or a reason why none fits).

The closest development type, by PLOVER category:

- words (SUPPORT, ACCUSE, REQUEST, REJECT, THREATEN) → ``StatementIssued`` by the first state source;
- CONSULT → ``MeetingHeld`` (phone → phone_call; visit, host, third-party, multilateral → in_person);
- AGREE → ``CommitmentMade`` by the state sources (CAMEO 036, intent to meet → ``SummitProposed``);
- CAMEO 057 (sign formal agreement) → ``AgreementSigned``;
- RETREAT with mode ceasefire (CAMEO 0871) → ``CeasefireAgreed``;
- ASSAULT → ``FightingReported`` (CAMEO 196, violate ceasefire → ``CeasefireViolated``).

Ceasefires and fighting need a conflict, which event rows do not name: give one
(``conflict``) or they are reported.  Everything else (COOPERATE, AID, CONCEDE,
PROTEST, MOBILIZE, SANCTION, COERCE, other RETREAT) has no development type and
is reported with its id and reason, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pycountry

from events.importers.plan import ImportProblem, Plan, Planned, RowProblem, World, clip, slugify
from events.vocabulary.references import ISO_CODES

WORDS = {"SUPPORT", "ACCUSE", "REQUEST", "REJECT", "THREATEN"}
NO_TYPE = {
    "COOPERATE": "material cooperation",
    "AID": "aid",
    "CONCEDE": "a concession",
    "PROTEST": "a protest",
    "MOBILIZE": "a mobilisation",
    "SANCTION": "a sanction or reduced relations",
    "COERCE": "coercion",
    "RETREAT": "a retreat, release or easing other than a ceasefire",
}
MEETING_FORMATS = {
    "phone": "phone_call",
    "visit": "in_person",
    "host": "in_person",
    "third-party": "in_person",
    "multilateral": "in_person",
}
#: CAMEO country codes that are not ISO 3166-1 alpha-3
CAMEO_COUNTRIES = {"JAP": "JPN", "ROM": "ROU", "ZAR": "COD", "TMP": "TLS"}


@dataclass
class Coded:
    """One coded event, whatever file it came from."""

    row_id: str
    line: int
    day: str
    event: str
    mode: str
    contexts: list[str]
    sources: list[tuple[str, str]]  # (code, text)
    targets: list[tuple[str, str]]
    text: str
    attribution: list[dict[str, Any]]
    release: str | None = None
    cameo: str | None = None
    dead: int | None = None
    location: str | None = None
    label: str = ""
    notes: list[str] = field(default_factory=list)


def state_code(code: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of a CAMEO country code or a country name, if any."""
    code = code.strip()
    upper = code.upper()
    if upper in ISO_CODES:
        return upper
    if upper in CAMEO_COUNTRIES:
        return CAMEO_COUNTRIES[upper]
    if len(code) > 3:
        try:
            return str(pycountry.countries.lookup(code).alpha_3)
        except LookupError:
            return None
    return None


def plan_all(out: Plan, coded: Sequence[Coded], world: World, dataset: str, conflict: str | None) -> None:
    """Add a planned development for each coded event to ``out``, or a rejection saying why none fits."""
    if conflict is not None and conflict not in world.conflicts:
        raise ImportProblem(
            f"unknown conflict '{conflict}': register it before importing events into it "
            f"(conflict-status conflict register {conflict} --name NAME)"
        )
    for event in coded:
        try:
            out.developments.append(_development(event, dataset, conflict, world))
        except RowProblem as e:
            out.reject(e.message, event.row_id, event.line, e.column)


def _development(event: Coded, dataset: str, conflict: str | None, world: World) -> Planned:
    sources = _states(event.sources)
    targets = [code for code in _states(event.targets) if code not in sources]
    kind, data = closest_type(event, sources, targets)
    if kind in ("CeasefireAgreed", "CeasefireViolated", "FightingReported") and conflict is None:
        raise RowProblem(
            f"a {kind} needs a conflict, and event rows name none: import such rows with a conflict (--conflict)"
        )
    what = event.event + (f" ({event.mode})" if event.mode else "")
    summary = event.text or f"{what} coded in {dataset} event {event.row_id}"
    origin: dict[str, Any] = {"dataset": dataset, "row_id": event.row_id}
    if event.release:
        origin["release"] = clip(event.release, 40)
    raw = {
        "type": kind,
        "occurred": event.day,
        "conflicts": [conflict] if conflict and kind in _CONFLICT_TYPES else [],
        "actors": [*sources, *targets],
        "sources": event.attribution,
        "summary": clip(summary, 1000),
        "data": data,
        "origin": origin,
    }
    return Planned(f"{dataset}:{event.row_id}", raw, event.row_id, event.line)


_CONFLICT_TYPES = {"CeasefireAgreed", "CeasefireViolated", "FightingReported"}


def _states(actors: Sequence[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for code, _text in actors:
        iso = state_code(code)
        if iso and iso not in out:
            out.append(iso)
    return out


def closest_type(event: Coded, sources: list[str], targets: list[str]) -> tuple[str, dict[str, Any]]:
    """The development type and data closest to a PLOVER event, or ``RowProblem`` saying why none is."""
    text = clip(event.text or event.label or event.event, 4000)
    slug = slugify(event.row_id)
    who = ", ".join(t for _c, t in event.sources if t) or "no actor"
    if event.cameo == "057":
        return "AgreementSigned", {"agreement": slug, "name": clip(text, 400), "parties": [*sources, *targets]}
    if event.cameo == "036" and sources:
        return "SummitProposed", {"summit": slug, "proposed_by": sources, "participants": [*sources, *targets]}
    if event.event in WORDS:
        if not sources:
            raise RowProblem(f"{event.event} by {who}: a StatementIssued needs a state as its source", "source")
        topics = [slugify(c) for c in event.contexts if slugify(c) != "x"]
        data: dict[str, Any] = {"by": sources[0], "text": text}
        if topics:
            data["topics"] = list(dict.fromkeys(topics))
        return "StatementIssued", data
    if event.event == "CONSULT":
        meeting = MEETING_FORMATS.get(event.mode)
        if meeting is None:
            raise RowProblem("CONSULT without a coded mode: whether it was a call or a visit is unknown", "mode")
        if not sources and not targets:
            raise RowProblem(f"CONSULT by {who}: a meeting needs at least one state", "source")
        return "MeetingHeld", {"format": meeting}
    if event.event == "AGREE":
        if not sources:
            raise RowProblem(f"AGREE by {who}: a CommitmentMade needs a state as its party", "source")
        return "CommitmentMade", {"commitment": slug, "description": text, "parties": sources}
    if event.event == "RETREAT" and event.mode == "ceasefire":
        if not sources:
            raise RowProblem(f"ceasefire by {who}: a CeasefireAgreed needs a state as its party", "source")
        return "CeasefireAgreed", {"parties": sources}
    if event.event == "ASSAULT":
        fighting: dict[str, Any] = {"description": text}
        if event.dead is not None:
            fighting["deaths"] = {"best": event.dead, "low": event.dead, "high": event.dead}
        if event.location:
            fighting["location"] = clip(event.location, 400)
        return ("CeasefireViolated" if event.cameo == "196" else "FightingReported"), fighting
    reason = NO_TYPE.get(event.event)
    if reason:
        raise RowProblem(
            f"{event.event}{f' ({event.mode})' if event.mode else ''} is {reason}: no development type fits"
        )
    raise RowProblem(f"'{event.event}' is not a PLOVER event category", "event")
