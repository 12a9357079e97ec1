"""The optional ``origin`` envelope field: where an imported development comes from."""

from __future__ import annotations

import pytest

from events.log.application import ConflictLog
from events.vocabulary.errors import InvalidDevelopment
from events.vocabulary.validation import check_development

REGISTRATION = {
    "type": "ConflictRegistered",
    "occurred": "2014-04",
    "sources": [{"name": "UCDP"}],
    "summary": "Eastern Ukraine is registered.",
    "data": {"conflict": "ukraine-east", "name": "Eastern Ukraine", "external_ids": ["ucdp:13306"]},
}
FIGHTING = {
    "type": "FightingReported",
    "occurred": "2014-08-12/2014-08-13",
    "conflicts": ["ukraine-east"],
    "sources": [{"name": "UCDP GED event 155425"}],
    "summary": "Fighting near Donetsk.",
    "data": {"description": "Fighting near Donetsk", "deaths": {"best": 7, "low": 6, "high": 7}},
}
ORIGIN = {"dataset": "ucdp-ged", "release": "22.1", "row_id": "155425", "flags": ["deaths-inconsistent"]}


def test_a_development_keeps_its_origin_and_reads_it_back(log: ConflictLog) -> None:
    log.submit(REGISTRATION)
    receipt = log.submit({**FIGHTING, "origin": ORIGIN})
    again = log.get(receipt.development.id)
    assert again.origin == ORIGIN
    assert again.content()["origin"] == ORIGIN


def test_a_development_without_origin_keeps_the_digest_it_always_had() -> None:
    without = check_development(FIGHTING)
    assert "origin" not in without.content()
    assert without.digest() != check_development({**FIGHTING, "origin": ORIGIN}).digest()


def test_a_malformed_origin_is_refused_field_by_field() -> None:
    with pytest.raises(InvalidDevelopment) as caught:
        check_development({**FIGHTING, "origin": {"dataset": "UCDP GED", "row": "1"}})
    fields = {p.field for p in caught.value.problems}
    assert fields == {"origin.dataset", "origin.row", "origin.row_id"}


def test_a_ceasefire_violation_may_carry_deaths_and_a_location() -> None:
    draft = check_development(
        {
            **FIGHTING,
            "type": "CeasefireViolated",
            "data": {"description": "Shelling", "deaths": {"best": 2, "low": 1, "high": 3}, "location": "Avdiivka"},
        }
    )
    assert draft.data["deaths"] == {"best": 2, "low": 1, "high": 3}
