"""The bilateral agenda fold, fed items directly: no log, no database."""

from __future__ import annotations

from projections import agenda
from projections.items import Item
from tests.unit.builders import item


def fold(*items: Item) -> dict:
    state = agenda.initial("FRA-RUS")
    for each in items:
        state = agenda.apply(state, each)
    return agenda.render(state)


def raised(occurred: str, by: str, topics: list[str], horizon: str = "current") -> Item:
    data = {"parties": ["FRA", "RUS"], "raised_by": by, "topics": topics, "horizon": horizon}
    return item("AgendaItemsRaised", occurred, data, conflicts=(), actors=("FRA", "RUS"))


def test_a_topic_keeps_who_raised_it_and_when_first_and_last() -> None:
    answer = fold(raised("2020-06-26", "RUS", ["libya"]), raised("2020-07-02", "FRA", ["libya"]))
    (topic,) = answer["topics"]
    assert topic["raised_by"] == ["RUS", "FRA"]
    assert (topic["first_raised"], topic["last_raised"]) == ("2020-06-26", "2020-07-02")
    assert topic["evidence"]["total"] == 2


def test_a_topic_raised_as_current_once_stays_current_when_raised_later_as_future() -> None:
    answer = fold(raised("2020-06-26", "RUS", ["health"], "current"), raised("2020-07-01", "FRA", ["health"], "future"))
    assert answer["topics"][0]["horizon"] == "current"


def test_a_topic_raised_first_as_future_becomes_current_when_raised_as_current() -> None:
    answer = fold(raised("2020-06-26", "FRA", ["health"], "future"), raised("2020-07-01", "RUS", ["health"], "current"))
    assert answer["topics"][0]["horizon"] == "current"


def test_a_meeting_is_a_contact_and_the_last_contact() -> None:
    meeting = item(
        "MeetingHeld", "2020-06-26", {"format": "video_call", "topics": ["libya"]}, conflicts=(), actors=("FRA", "RUS")
    )
    answer = fold(meeting)
    assert answer["contacts"] == [
        {"on": "2020-06-26", "format": "video_call", "location": None, "topics": ["libya"], "evidence": [meeting.id]}
    ]
    assert answer["contact_count"] == 1 and answer["last_contact"] == "2020-06-26"


def test_contacts_keep_the_latest_fifty_but_count_them_all() -> None:
    meetings = [
        item("MeetingHeld", f"2020-{1 + n // 28:02d}-{1 + n % 28:02d}", {"format": "phone_call"}, conflicts=())
        for n in range(60)
    ]
    answer = fold(*meetings)
    assert len(answer["contacts"]) == agenda.KEEP_CONTACTS == 50
    assert answer["contact_count"] == 60
    assert answer["contacts"][-1]["on"] == answer["last_contact"]


def test_a_briefing_names_who_briefed_and_on_what() -> None:
    answer = fold(item("BriefingGiven", "2020-06-26", {"by": "RUS", "to": ["FRA"], "subject": "Idlib"}))
    assert [(b["by"], b["subject"]) for b in answer["briefings"]] == [("RUS", "Idlib")]


def test_a_joint_ceasefire_call_is_one_position_per_set_of_conflicts_with_all_its_evidence() -> None:
    call = {"called_by": ["FRA", "RUS"], "basis": ["Berlin Conference"], "dialogue_resumption": True}
    first = item("CeasefireCalled", "2020-06-26", call, conflicts=("libya",))
    again = item("CeasefireCalled", "2020-07-10", call, conflicts=("libya",))
    answer = fold(first, again)
    (position,) = answer["joint_positions"]
    assert position["kind"] == "ceasefire_called" and position["conflicts"] == ["libya"]
    assert position["on"] == "2020-07-10" and position["evidence"]["ids"] == [again.id, first.id]


def test_a_joint_summit_proposal_is_a_position_named_by_its_summit() -> None:
    data = {"summit": "normandy-berlin-2020", "proposed_by": ["FRA", "RUS"], "location": "Berlin", "in_principle": True}
    answer = fold(item("SummitProposed", "2020-06-26", data, conflicts=("ukraine-east",)))
    (position,) = answer["joint_positions"]
    assert (position["summit"], position["location"], position["in_principle"]) == (
        "normandy-berlin-2020",
        "Berlin",
        True,
    )


def test_every_development_counts_and_the_last_is_named() -> None:
    last = item("StatementIssued", "2020-06-27", {"by": "FRA", "text": "t"}, summary="France spoke.")
    answer = fold(raised("2020-06-26", "RUS", ["libya"]), last)
    assert answer["developments"] == 2
    assert answer["last_development"] == {
        "id": last.id,
        "type": "StatementIssued",
        "occurred": "2020-06-27",
        "summary": "France spoke.",
    }


def test_the_summary_line_counts_topics_and_contacts() -> None:
    state = agenda.initial("FRA-RUS")
    for each in (
        raised("2020-06-26", "RUS", ["libya", "syria"]),
        item("MeetingHeld", "2020-06-26", {"format": "video_call"}),
    ):
        state = agenda.apply(state, each)
    assert agenda.summary_line(state) == "2 topics, 1 contact, last contact 2020-06-26"


def test_an_agenda_is_named_by_its_pair_and_its_answer_has_every_fact_of_the_contract() -> None:
    answer = fold()
    assert list(answer) == [
        "agenda",
        "parties",
        "topics",
        "contacts",
        "contact_count",
        "briefings",
        "joint_positions",
        "last_contact",
        "last_development",
        "developments",
    ]
    assert (answer["agenda"], answer["parties"], answer["last_contact"]) == ("FRA-RUS", ["FRA", "RUS"], None)


def test_the_summary_line_speaks_of_one_topic_and_no_contact_in_the_singular() -> None:
    state = agenda.apply(agenda.initial("FRA-RUS"), raised("2020-06-26", "RUS", ["libya"]))
    assert agenda.summary_line(state) == "1 topic, 0 contacts, last contact none"
