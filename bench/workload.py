"""A synthetic but realistic log: many conflicts, every kind of development, dates spread over years.

Developments arrive mostly in world order with a share back-dated (as analysts
record late news), so the projections' refold path is exercised too.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

ACTORS = ["FRA", "RUS", "DEU", "UKR", "TUR", "EGY", "USA", "GBR", "CHN", "IND", "BRA", "ZAF"]
START = date(2010, 1, 1)
SOURCE = [{"name": "Bench wire service", "url": "https://example.org/wire"}]


def conflict_ids(count: int) -> list[str]:
    return [f"conflict-{n:03d}" for n in range(count)]


def registrations(conflicts: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "type": "ConflictRegistered",
            "occurred": "2009",
            "sources": SOURCE,
            "summary": f"{c} is registered.",
            "data": {"conflict": c, "name": c.replace("-", " ").title(), "parties": ACTORS[:2]},
        }
        for c in conflicts
    ]


def developments(count: int, conflicts: list[str], seed: int = 7, back_dated: float = 0.05) -> Iterator[dict[str, Any]]:
    """``count`` developments spread over the conflicts and over about 15 years."""
    rng = random.Random(seed)
    span_days = 15 * 365
    for n in range(count):
        day = START + timedelta(days=int(span_days * n / max(count, 1)))
        if rng.random() < back_dated:
            day -= timedelta(days=rng.randint(30, 900))
        a, b = rng.sample(ACTORS, 2)
        conflict = conflicts[n % len(conflicts)]
        yield _development(rng, n, day, conflict, a, b)


def _development(rng: random.Random, n: int, day: date, conflict: str, a: str, b: str) -> dict[str, Any]:
    roll = rng.random()
    base: dict[str, Any] = {
        "occurred": day.isoformat(),
        "conflicts": [conflict],
        "actors": [a, b],
        "sources": SOURCE,
        "summary": f"Development {n}.",
    }
    if roll < 0.55:
        best = rng.randint(0, 30)
        return {
            **base,
            "type": "FightingReported",
            "actors": [a],
            "data": {"description": "clashes", "deaths": {"best": best, "low": best, "high": best + 5}},
        }
    if roll < 0.65:
        return {**base, "type": "CeasefireCalled", "data": {"called_by": [a, b], "basis": ["talks"]}}
    if roll < 0.70:
        return {**base, "type": "CeasefireAgreed", "data": {"parties": [a, b]}}
    if roll < 0.75:
        return {**base, "type": "CeasefireViolated", "data": {"description": "shelling"}}
    if roll < 0.80:
        return {**base, "type": "StatusAssessed", "data": {"trend": "deteriorated", "period": day.isoformat()[:7]}}
    if roll < 0.85:
        summit = f"summit-{n % 50}"
        return {
            **base,
            "type": "SummitProposed",
            "data": {"summit": summit, "proposed_by": [a, b], "participants": [a, b]},
        }
    if roll < 0.90:
        due = (day + timedelta(days=60)).isoformat()
        data = {"commitment": f"commitment-{n % 40}", "description": "withdraw", "parties": [a, b], "due": due}
        return {**base, "type": "CommitmentMade", "data": data}
    if roll < 0.95:
        return {**base, "type": "MeetingHeld", "data": {"format": "phone_call", "topics": ["security"]}}
    topics = rng.sample(["trade", "energy", "security", "migration", "health"], 2)
    return {
        **base,
        "conflicts": [],
        "type": "AgendaItemsRaised",
        "data": {"parties": [a, b], "raised_by": a, "topics": topics, "horizon": "current"},
    }
