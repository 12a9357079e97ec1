"""Plain dates skip the slow EDTF parser and get exactly the bounds the parser gives."""

from __future__ import annotations

import pytest

from events.vocabulary import occurred
from events.vocabulary.errors import FieldError
from events.vocabulary.occurred import parse_occurred

PLAIN = [
    "2020-06-26",
    "2019-12",
    "2020",
    "2020-02",
    "2019-02",
    "2019-12-09/2020-06-26",
    "2019-12/2020",
    "2014-01-22/2014-01-22",
    "1000-01-01",
    "2999-12-31",
]


@pytest.mark.parametrize("text", PLAIN)
def test_a_plain_date_gets_the_bounds_the_edtf_parser_gives(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = parse_occurred(text)
    occurred._parse.cache_clear()
    monkeypatch.setattr(occurred, "_plain", lambda text: None)
    assert parse_occurred(text) == fast
    occurred._parse.cache_clear()


@pytest.mark.parametrize("text", ["2020-02-30", "2020-13", "2020-06-26/2020-06-01", "0000", "2020-6-26"])
def test_an_odd_plain_looking_date_is_left_to_the_parser_and_its_message(text: str) -> None:
    assert occurred._plain(text) is None
    with pytest.raises(FieldError):
        parse_occurred(text)


def test_qualified_and_open_dates_still_go_through_the_parser() -> None:
    assert occurred._plain("2020-06-26~") is None
    assert parse_occurred("2020-06-26~").latest.isoformat() == "2020-06-26"
