"""The vocabulary: what a development may say, and the precise answer when it says it wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from events.vocabulary.errors import FieldError, InvalidDevelopment
from events.vocabulary.event_types import TYPES
from events.vocabulary.json_schema import submission_components
from events.vocabulary.occurred import parse_occurred
from events.vocabulary.references import KnownIds, closest
from events.vocabulary.validation import check_development


def call(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "type": "CeasefireCalled",
        "occurred": "2020-06-26",
        "conflicts": ["libya"],
        "actors": ["FRA", "RUS"],
        "persons": [{"name": "Vladimir Putin", "role": "president", "represents": "RUS"}],
        "sources": [{"name": "Kremlin statement", "url": "https://kremlin.ru/", "published": "2020-06-26"}],
        "summary": "Both called for a ceasefire.",
        "data": {"called_by": ["FRA", "RUS"], "basis": ["Berlin Conference"], "dialogue_resumption": True},
    }
    raw.update(changes)
    return raw


def problems(raw: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDevelopment) as caught:
        check_development(raw)
    return [(p.field, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2020-06-26", date(2020, 6, 26), date(2020, 6, 26)),
        ("2019-12", date(2019, 12, 1), date(2019, 12, 31)),
        ("2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("2019-12-09/2020-06-26", date(2019, 12, 9), date(2020, 6, 26)),
        ("2020-06-26~", date(2020, 6, 26), date(2020, 6, 26)),
        ("2020-02", date(2020, 2, 1), date(2020, 2, 29)),
    ],
)
def test_an_edtf_date_keeps_the_earliest_and_latest_day_it_allows(text: str, earliest: date, latest: date) -> None:
    occurred = parse_occurred(text)
    assert (occurred.earliest, occurred.latest) == (earliest, latest)


@pytest.mark.parametrize("text", ["2019-02-30", "2019-13-01", "26/06/2020", "yesterday", "", "2020-06-26/2019-01-01"])
def test_an_impossible_or_malformed_date_is_refused(text: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_occurred(text)
    assert caught.value.field == "occurred"


def test_an_open_ended_interval_is_refused_because_it_never_certainly_happened() -> None:
    with pytest.raises(FieldError, match="open or unknown end"):
        parse_occurred("2019-12-09/..")


def test_a_good_development_is_normalised_and_its_references_collected() -> None:
    draft = check_development(call(summary="  Both called for a ceasefire.  "))
    assert draft.summary == "Both called for a ceasefire."
    assert ("conflict", "libya", "conflicts[0]") in draft.references
    assert ("actor", "FRA", "data.called_by[0]") in draft.references
    assert draft.latest == date(2020, 6, 26)


def test_an_unknown_type_names_the_allowed_types() -> None:
    [(field, message)] = problems(call(type="CeasefireDeclared"))
    assert field == "type"
    assert "CeasefireCalled" in message and "'CeasefireDeclared'" in message


def test_a_missing_source_is_refused() -> None:
    assert problems(call(sources=[])) == [("sources", "expected at least 1 item")]
    assert ("sources", "is required") in problems({k: v for k, v in call().items() if k != "sources"})


def test_wrong_field_types_name_each_field_and_what_was_expected() -> None:
    found = dict(problems(call(actors="FRA", data={"called_by": ["FRA"], "dialogue_resumption": "yes"})))
    assert found["actors"] == "expected an array, got a string"
    assert found["data.dialogue_resumption"] == "expected true or false, got a string"


def test_every_problem_of_a_development_is_reported_at_once() -> None:
    found = [field for field, _ in problems(call(occurred="2019-02-30", summary="", data={"basis": "x"}))]
    assert found == ["occurred", "summary", "data.called_by", "data.basis"]


def test_an_unknown_field_is_refused_with_the_known_ones() -> None:
    [(field, message)] = problems(call(data={"called_by": ["FRA"], "colled_by": ["RUS"]}))
    assert field == "data.colled_by"
    assert "called_by" in message


def test_an_actor_named_in_the_data_counts_without_being_repeated_in_actors() -> None:
    from events.vocabulary.actors import actors_of

    raw = call(actors=[], data={"called_by": ["FRA", "DEU"]})
    raw["persons"] = [{"name": "Vladimir Putin", "role": "president", "represents": "RUS"}]
    draft = check_development(raw)
    assert draft.actors == []
    assert actors_of(draft.content()) == ["FRA", "DEU", "RUS"]
    assert ("actor", "DEU", "data.called_by[1]") in draft.references
    assert ("actor", "RUS", "persons[0].represents") in draft.references


def test_a_date_of_the_world_outside_the_service_days_is_refused_with_the_range() -> None:
    for text in ("0001-01-05", "9999-12-31", "0999-12-31/2020"):
        [(field, message)] = problems(call(occurred=text))
        assert field == "occurred" and "1000-01-01 to 2999-12-31" in message


def test_a_development_cannot_have_happened_more_than_a_year_from_now() -> None:
    [(field, message)] = problems(call(occurred="2999-12-31"))
    assert field == "occurred" and "a development reports what happened" in message


def test_a_malformed_actor_code_and_slug_are_refused() -> None:
    found = dict(problems(call(actors=["fra"], conflicts=["Libya War"])))
    assert "not an actor code" in found["actors[0]"]
    assert "not a slug" in found["conflicts[0]"]


def test_a_ceasefire_needs_a_conflict() -> None:
    assert problems(call(conflicts=[])) == [("conflicts", "a CeasefireCalled names at least one conflict")]


def test_inconsistent_death_estimates_are_refused_by_the_vocabulary() -> None:
    raw = call(type="FightingReported", data={"description": "clashes", "deaths": {"best": 9, "low": 10, "high": 12}})
    raw["actors"] = ["UKR"]
    raw["persons"] = []
    assert problems(raw) == [("data.deaths", "expected low <= best <= high")]


def test_a_correction_is_a_whole_development_of_a_type_that_can_be_corrected() -> None:
    raw = {
        "type": "DevelopmentCorrected",
        "occurred": "2020-06-27",
        "sources": [{"name": "Kremlin"}],
        "summary": "Date corrected.",
        "data": {"target": "6d51155b-1142-5d12-bcc6-875566ce9373", "replacement": call(occurred="2020-06-25")},
    }
    draft = check_development(raw)
    assert draft.data["replacement"]["occurred"] == "2020-06-25"
    retraction = {
        "type": "DevelopmentRetracted",
        "data": {"target": "6d51155b-1142-5d12-bcc6-875566ce9373", "reason": "x"},
    }
    wrong = {**raw, "data": {**raw["data"], "replacement": {**call(), **retraction}}}
    assert ("data.replacement.type", "a correction or retraction cannot itself be corrected") in problems(wrong)


def test_a_development_that_is_not_an_object_is_refused() -> None:
    assert problems([1, 2]) == [("(body)", "expected an object, got an array")]


def test_the_closest_known_id_is_suggested() -> None:
    assert closest("lybia", {"libya", "syria", "ukraine-east"}) == "libya"
    assert closest("ukrain-east", {"libya", "ukraine-east"}) == "ukraine-east"
    assert closest("yemen", {"libya", "ukraine-east"}) is None
    known = KnownIds()
    assert known.unknown_message("actor", "RUSS") == "unknown actor 'RUSS'; did you mean 'RUS'?"
    assert known.is_known("actor", "FRA") and not known.is_known("actor", "UNSC")


def test_the_openapi_schema_has_one_named_variant_per_type_mapped_by_its_discriminator() -> None:
    components = submission_components()
    submission = components["Submission"]
    assert submission["discriminator"]["mapping"] == {name: f"#/components/schemas/{name}Submission" for name in TYPES}
    assert [v["$ref"] for v in submission["oneOf"]] == list(submission["discriminator"]["mapping"].values())
    for name in TYPES:
        variant = components[f"{name}Submission"]
        assert variant["additionalProperties"] is False and variant["properties"]["type"]["enum"] == [name]
        assert variant["properties"]["data"] == {"$ref": f"#/components/schemas/{name}Data"}
    assert {"Person", "Source", "Origin", "DeathEstimate", "Replacement"} <= set(components)


def test_every_optional_field_is_documented_as_nullable_because_null_counts_as_absent() -> None:
    components = submission_components()
    for name, component in components.items():
        for field, schema in component.get("properties", {}).items():
            optional = field not in component.get("required", [])
            assert optional == ({"type": "null"} in schema.get("anyOf", [])), (name, field)
    proposed = call(type="SummitProposed", data={"summit": "berlin", "proposed_by": ["FRA"], "date": None})
    assert "date" not in check_development(proposed).data
    assert problems(call(summary=None)) == [("summary", "is required")]


@pytest.mark.parametrize("written", [100, 100.0, 1e2])
def test_a_whole_number_may_be_written_as_json_writes_numbers(written: float) -> None:
    deaths = {"best": written, "low": 1e1, "high": 200}
    fighting = call(type="FightingReported", data={"description": "Shelling.", "deaths": deaths})
    assert check_development(fighting).data["deaths"] == {"best": 100, "low": 10, "high": 200}
    assert type(check_development(fighting).data["deaths"]["best"]) is int
    fractional = {**fighting, "data": {"description": "Shelling.", "deaths": {**deaths, "best": 100.5}}}
    assert problems(fractional) == [("data.deaths.best", "expected a whole number, got 100.5")]


def test_a_developments_content_fields_are_declared_once_and_everything_derives_from_them() -> None:
    from dataclasses import fields

    from events.log.development import Development, RecordedDevelopment
    from events.vocabulary.content import SUBMITTED, Content
    from events.vocabulary.event_types import envelope_fields
    from events.vocabulary.records import AnyObject
    from events.vocabulary.validation import Draft
    from service.api.schemas.events import DevelopmentSchema

    envelope = [name for name in envelope_fields(AnyObject()) if name != "id"]
    assert list(SUBMITTED) == envelope
    for derived in (Draft, RecordedDevelopment):
        assert issubclass(derived, Content)
    stored = {f.name for f in fields(Development.Recorded)}
    assert set(SUBMITTED) | {"earliest", "latest", "digest"} <= stored
    assert set(SUBMITTED) <= set(DevelopmentSchema._declared_fields)
    draft = check_development(call())
    assert set(draft.content()) == set(SUBMITTED) - {"origin"}


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused_in_every_text_field_by_name(control: str) -> None:
    found = problems(
        call(
            summary=f"Both called{control} for a ceasefire.",
            persons=[{"name": f"Vladimir{control}Putin", "role": "president", "represents": "RUS"}],
            sources=[{"name": "Kremlin", "url": f"https://kremlin.ru/{control}x"}],
            data={"called_by": ["FRA", "RUS"], "basis": [f"Berlin{control}Conference"]},
        )
    )
    assert [field for field, _ in found] == ["persons[0].name", "sources[0].url", "summary", "data.basis[0]"]
    assert all(f"U+{ord(control):04X}" in message for _, message in found)
    assert problems(call(sources=[{"name": f"Kremlin{control}statement"}]))[0][0] == "sources[0].name"


def test_tabs_and_line_breaks_are_text_and_stay() -> None:
    draft = check_development(call(summary="Both called\tfor a ceasefire.\r\nThey said so twice."))
    assert draft.summary == "Both called\tfor a ceasefire.\r\nThey said so twice."
