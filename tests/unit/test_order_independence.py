"""Facts in the log, meaning in the projections: the same developments in any record order give the same answers.

Importers record what a data set says; whether fighting violated a ceasefire is
computed by the fold.  So however the developments of a conflict were recorded
(one file before another, rows shuffled), every answer as of every date is the
same, positions and record times aside: the last development of a day is the
one recorded last, so it is left out.  Evidence is compared as listed: it is
newest by day, then by id, so even a capped list names the same developments.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from events.log.development import RecordedDevelopment
from events.vocabulary.occurred import parse_occurred
from projections import conflict_status
from projections.folds import answer_from_scratch

START = date(2019, 12, 1)
CONFLICT = "donbas"


def development(n: int, kind: str, day: int, data: dict[str, Any], span: int = 0) -> dict[str, Any]:
    first = START + timedelta(days=day)
    occurred = first.isoformat() if not span else f"{first.isoformat()}/{(first + timedelta(days=span)).isoformat()}"
    return {"key": f"row-{n}", "type": kind, "occurred": occurred, "data": data}


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A conflict's developments of the kinds importers record, crowded onto few days (ties are the point)."""
    day = st.integers(0, 40)
    rows: list[dict[str, Any]] = [development(0, "ConflictRegistered", 0, {"conflict": CONFLICT, "name": "Donbas"})]
    for n in range(1, draw(st.integers(1, 25)) + 1):
        kind = draw(st.sampled_from(["fight", "fight", "fight", "agreed", "called", "broken", "commitment"]))
        if kind == "fight":
            best = draw(st.integers(0, 5))
            deaths = {"best": best, "low": best, "high": best + draw(st.integers(0, 3))}
            span = draw(st.sampled_from([0, 0, 0, 3]))
            rows.append(
                development(n, "FightingReported", draw(day), {"description": "clashes", "deaths": deaths}, span)
            )
        elif kind == "agreed":
            rows.append(development(n, "CeasefireAgreed", draw(day), {"parties": ["RUS", "UKR"]}))
        elif kind == "called":
            rows.append(development(n, "CeasefireCalled", draw(day), {"called_by": ["DEU", "FRA"]}))
        elif kind == "broken":
            rows.append(development(n, "CeasefireViolated", draw(day), {"description": "the truce broke"}))
        else:
            data = {"commitment": f"c-{n}", "description": "d", "parties": ["UKR"], "due": "2020-01-10"}
            rows.append(development(n, "CommitmentMade", draw(day), data))
    return rows


def recorded(rows: list[dict[str, Any]]) -> list[RecordedDevelopment]:
    """The rows recorded in the order given: ids come from their keys (as imports derive them), positions follow."""
    out = []
    for position, row in enumerate(rows, start=1):
        days = parse_occurred(row["occurred"])
        out.append(
            RecordedDevelopment(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, row["key"])),
                position=position,
                recorded_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=position),
                digest=row["key"],
                type=row["type"],
                occurred=row["occurred"],
                earliest=days.earliest,
                latest=days.latest,
                conflicts=[CONFLICT],
                actors=[],
                persons=[],
                sources=[{"name": "a data set"}],
                summary=row["key"],
                data=row["data"],
            )
        )
    return out


def answer(rows: list[dict[str, Any]], as_of: date) -> Any:
    folded = answer_from_scratch(recorded(rows), ("conflict", CONFLICT), as_of, len(rows))
    rendered = conflict_status.render(folded.state, as_of)
    rendered.pop("last_development")
    rendered["uncertain"] = sorted(i.id for i in folded.uncertain)
    return rendered


def test_more_fighting_on_one_day_than_evidence_shows_cites_the_same_reports_in_any_record_order() -> None:
    rows = [development(0, "ConflictRegistered", 0, {"conflict": CONFLICT, "name": "Donbas"})]
    rows += [development(n, "FightingReported", 0, {"description": "clashes"}) for n in range(1, 23)]
    rows.append(development(23, "CeasefireAgreed", 0, {"parties": ["RUS", "UKR"]}))
    rows += [development(n, "CeasefireViolated", 2, {"description": "broke"}) for n in range(24, 50)]
    reordered = [rows[0], *rows[:0:-1]]
    for offset in (0, 2, 5):
        as_of = START + timedelta(days=offset)
        assert answer(reordered, as_of) == answer(rows, as_of), f"as of {as_of}"
    fighting = answer(rows, START)["fighting"]["evidence"]
    assert (len(fighting["ids"]), fighting["total"], fighting["capped"]) == (20, 22, True)


@settings(max_examples=150, deadline=None)
@given(rows=histories(), data=st.data())
def test_any_record_order_of_the_same_developments_gives_the_same_answers(
    rows: list[dict[str, Any]], data: Any
) -> None:
    shuffled = [rows[0], *data.draw(st.permutations(rows[1:]))]
    for offset in (0, 5, 9, 10, 11, 20, 30, 45):
        as_of = START + timedelta(days=offset)
        assert answer(shuffled, as_of) == answer(rows, as_of), f"as of {as_of}"
