"""The vocabulary of developments (v1): every event type and the fields of its ``data``.

This is the one place where the field lists are written.  The log checks every
development against it, whatever the entry point (REST, batch, import), and the
service derives its OpenAPI schemas from it.  Types are added, never renamed.
"""

from __future__ import annotations

from typing import Any

from events.vocabulary.errors import FieldError
from events.vocabulary.kinds import (
    EXTERNAL_ID,
    ActorCode,
    Choice,
    Codes,
    Context,
    Count,
    CountryCode,
    DevelopmentId,
    EdtfDate,
    Flag,
    Kind,
    ListOf,
    Number,
    Slug,
    Text,
    Url,
)
from events.vocabulary.records import AnyObject, Record, Spec

CONFLICT = Slug(ref="conflict", description="the id of a registered conflict")
ACTOR = ActorCode()
ACTORS = ListOf(ACTOR)
TOPICS = ListOf(Slug(description="a topic such as terrorism or libya"), description="topics, as lowercase slugs")
SUMMIT = Slug(description="the summit's id, such as normandy-berlin-2020")
COMMITMENT = Slug(description="the commitment's id, such as paris-2019-ceasefire")
OPTIONAL_TEXT = Spec(Text(), required=False)


class ExternalId(Text):
    """An id in another data set: ``scheme:id`` (``ucdp:13246``)."""

    def check(self, value: Any, path: str, ctx: Any) -> str:
        text = super().check(value, path, ctx)
        if not EXTERNAL_ID.match(text):
            raise FieldError(path, f"'{text[:60]}' is not an external id of the form scheme:id, such as ucdp:13246")
        return text


def _distinct_pair(data: dict[str, Any], prefix: str) -> None:
    parties = data["parties"]
    if len(parties) != 2:
        raise FieldError(f"{prefix}parties", f"expected exactly 2 parties, got {len(parties)}")
    if data["raised_by"] not in parties:
        raise FieldError(f"{prefix}raised_by", f"'{data['raised_by']}' is not one of the parties {', '.join(parties)}")


def _consistent_deaths(data: dict[str, Any], prefix: str) -> None:
    deaths = data.get("deaths")
    if deaths and not deaths["low"] <= deaths["best"] <= deaths["high"]:
        raise FieldError(f"{prefix}deaths", "expected low <= best <= high")


VIOLENCE = Choice(
    ("state-based", "non-state", "one-sided"),
    description="UCDP's types of organised violence: state-based (a state is a side), non-state (no state is), "
    "one-sided (an organised actor against civilians)",
)
PLACE = Record(
    {
        "country": Spec(CountryCode(), required=False),
        "admin1": Spec(Text(200, description="first-level division: province, oblast, state"), required=False),
        "admin2": Spec(Text(200, description="second-level division: district, raion"), required=False),
        "name": Spec(Text(200, description="the place's name"), required=False),
        "lat": Spec(Number(-90, 90, description="latitude, WGS 84"), required=False),
        "lon": Spec(Number(-180, 180, description="longitude, WGS 84"), required=False),
        "precision": Spec(
            Count(maximum=10, description="how precise the place is, as the data set codes it (UCDP where_prec 1-7)"),
            required=False,
        ),
    },
    description="where it happened",
)
#: provisions of agreements as UCDP's Peace Agreement Dataset codes them (others may be given as slugs)
PROVISIONS = (
    "ceasefire",
    "army_integration",
    "ddr",
    "withdrawal",
    "power_sharing",
    "elections",
    "interim_government",
    "autonomy",
    "federalism",
    "independence",
    "referendum",
    "local_government",
    "amnesty",
    "prisoner_release",
    "reconciliation",
    "refugee_return",
    "peacekeeping",
)


class Provision(Slug):
    """A provision of an agreement: one of ``PROVISIONS`` (``prisoner_release``), or another as a slug."""

    def check(self, value: Any, path: str, ctx: Context) -> str:
        if isinstance(value, str) and value in PROVISIONS:
            return value
        return super().check(value, path, ctx)

    def schema(self) -> dict[str, Any]:
        listed = {"type": "string", "enum": list(PROVISIONS)}
        return {"anyOf": [listed, super().schema()], "description": self.description}


DEATHS = Record(
    fields={"best": Spec(Count()), "low": Spec(Count()), "high": Spec(Count())},
    description="deaths: best estimate, low and high",
    name="DeathEstimate",
)

#: data fields of every event type, in the order of product.md.
TYPES: dict[str, Record] = {
    # Registries
    "ConflictRegistered": Record(
        {
            "conflict": Spec(Slug(description="the new conflict's id")),
            "name": Spec(Text(200)),
            "region": OPTIONAL_TEXT,
            "parties": Spec(ACTORS, required=False),
            "external_ids": Spec(ListOf(ExternalId(100)), required=False),
            "territory": Spec(
                ListOf(CountryCode(), max_items=50, description="ISO 3166-1 alpha-3 codes of where it is fought"),
                required=False,
            ),
            "began": Spec(EdtfDate(description="when it began, as EDTF"), required=False),
        }
    ),
    "ActorRegistered": Record(
        {
            "actor": Spec(ActorCode(known=False, description="the new actor's code, such as UNSC")),
            "name": Spec(Text(200)),
            "kind": Spec(Choice(("state", "organisation", "group"))),
        }
    ),
    # Contacts and words
    "MeetingHeld": Record(
        {
            "format": Spec(Choice(("phone_call", "video_call", "in_person"))),
            "location": OPTIONAL_TEXT,
            "topics": Spec(TOPICS, required=False),
        }
    ),
    "StatementIssued": Record({"by": Spec(ACTOR), "text": Spec(Text(4000)), "topics": Spec(TOPICS, required=False)}),
    "BriefingGiven": Record({"by": Spec(ACTOR), "to": Spec(ListOf(ACTOR, min_items=1)), "subject": Spec(Text())}),
    # Agendas
    "AgendaItemsRaised": Record(
        {
            "parties": Spec(ListOf(ACTOR, min_items=2, max_items=2)),
            "raised_by": Spec(ACTOR),
            "topics": Spec(ListOf(TOPICS.item, min_items=1)),
            "horizon": Spec(Choice(("current", "future"))),
        },
        rules=(_distinct_pair,),
    ),
    # Ceasefires
    "CeasefireCalled": Record(
        {
            "called_by": Spec(ListOf(ACTOR, min_items=1)),
            "basis": Spec(ListOf(Text(200)), required=False),
            "dialogue_resumption": Spec(Flag(), required=False),
        }
    ),
    "CeasefireAgreed": Record(
        {"parties": Spec(ListOf(ACTOR, min_items=1)), "effective": Spec(EdtfDate(), required=False)}
    ),
    "CeasefireViolated": Record(
        {
            "reported_by": Spec(ACTOR, required=False),
            "description": Spec(Text()),
            "deaths": Spec(DEATHS, required=False),
            "location": OPTIONAL_TEXT,
        },
        rules=(_consistent_deaths,),
    ),
    "FightingReported": Record(
        {
            "description": Spec(Text()),
            "deaths": Spec(DEATHS, required=False),
            "location": OPTIONAL_TEXT,
            "violence": Spec(VIOLENCE, required=False),
            "place": Spec(PLACE, required=False),
        },
        rules=(_consistent_deaths,),
    ),
    # Assessments
    "IntensityAssessed": Record(
        {
            "period": Spec(EdtfDate(description="the period judged, such as 2014 (UCDP/PRIO: a calendar year)")),
            "level": Spec(
                Choice(("minor", "war"), description="minor: 25 to 999 battle-related deaths in the period; war: 1000+")
            ),
            "source": OPTIONAL_TEXT,
        }
    ),
    "ConflictEnded": Record({"reason": OPTIONAL_TEXT}),
    "StatusAssessed": Record(
        {
            "trend": Spec(Choice(("deteriorated", "improved", "unchanged"))),
            "alert": Spec(Choice(("conflict_risk", "resolution_opportunity")), required=False),
            "period": Spec(EdtfDate(description="the period judged, such as 2020-06")),
        }
    ),
    # Talks
    "SummitProposed": Record(
        {
            "summit": Spec(SUMMIT),
            "format": OPTIONAL_TEXT,
            "location": OPTIONAL_TEXT,
            "participants": Spec(ACTORS, required=False),
            "proposed_by": Spec(ListOf(ACTOR, min_items=1)),
            "in_principle": Spec(Flag(), required=False),
            "date": Spec(EdtfDate(), required=False),
        }
    ),
    "SummitScheduled": Record({"summit": Spec(SUMMIT), "date": Spec(EdtfDate()), "location": OPTIONAL_TEXT}),
    "SummitPostponed": Record({"summit": Spec(SUMMIT), "reason": OPTIONAL_TEXT}),
    "SummitCancelled": Record({"summit": Spec(SUMMIT), "reason": OPTIONAL_TEXT}),
    "SummitHeld": Record(
        {"summit": Spec(SUMMIT), "location": OPTIONAL_TEXT, "participants": Spec(ACTORS, required=False)}
    ),
    # Commitments
    "CommitmentMade": Record(
        {
            "commitment": Spec(COMMITMENT),
            "description": Spec(Text()),
            "parties": Spec(ListOf(ACTOR, min_items=1)),
            "due": Spec(EdtfDate(), required=False),
            "summit": Spec(SUMMIT, required=False),
        }
    ),
    "CommitmentFulfilled": Record({"commitment": Spec(COMMITMENT)}),
    "CommitmentBroken": Record({"commitment": Spec(COMMITMENT), "description": Spec(Text())}),
    "ImplementationUrged": Record({"commitment": Spec(COMMITMENT), "by": Spec(ACTOR)}),
    # Frameworks
    "ResolutionAdopted": Record({"body": Spec(ACTOR), "number": Spec(Text(40)), "title": OPTIONAL_TEXT}),
    "AgreementSigned": Record(
        {
            "agreement": Spec(Slug(description="the agreement's id")),
            "name": Spec(Text(400)),
            "parties": Spec(ACTORS, required=False),
            "third_parties": Spec(
                ListOf(ACTOR, description="third parties: signatories who are not parties, mediators, guarantors"),
                required=False,
            ),
            "provisions": Spec(
                ListOf(
                    Provision(description="a provision, such as ceasefire, prisoner_release, ddr, power_sharing"),
                    max_items=50,
                    description="what it provides for (UCDP's provisions: " + ", ".join(PROVISIONS) + ")",
                ),
                required=False,
            ),
        }
    ),
    # Record keeping (``replacement`` is checked as a whole development by the validator)
    "DevelopmentCorrected": Record(
        {"target": Spec(DevelopmentId()), "replacement": Spec(AnyObject(description="the whole corrected development"))}
    ),
    "DevelopmentRetracted": Record({"target": Spec(DevelopmentId()), "reason": Spec(Text())}),
}

REGISTRATIONS = frozenset({"ConflictRegistered", "ActorRegistered"})
RECORD_KEEPING = frozenset({"DevelopmentCorrected", "DevelopmentRetracted"})

#: types that make no sense without a conflict
NEEDS_CONFLICT = frozenset(
    {
        "CeasefireCalled",
        "CeasefireAgreed",
        "CeasefireViolated",
        "FightingReported",
        "StatusAssessed",
        "IntensityAssessed",
        "ConflictEnded",
    }
)


def _names_actors(kind: Kind) -> bool:
    if isinstance(kind, ActorCode):
        return kind.known
    return isinstance(kind, ListOf) and isinstance(kind.item, ActorCode) and kind.item.known


#: data fields that name actors: they count as the development's actors without standing in ``actors``
ACTOR_FIELDS = {
    name: [field for field, spec in record.fields.items() if _names_actors(spec.kind)] for name, record in TYPES.items()
}

PERSON = Record(
    {
        "name": Spec(Text(200)),
        "role": Spec(Text(200), required=False),
        "represents": Spec(ACTOR, required=False),
    },
    description="a person acting: Vladimir Putin, president, RUS",
    name="Person",
)

SOURCE = Record(
    {
        "name": Spec(Text(300, description="who said it: Kremlin statement, source at the Elysee Palace")),
        "url": Spec(Url(), required=False),
        "published": Spec(EdtfDate(), required=False),
    },
    description="an attribution",
    name="Source",
)


#: one upstream row a development gathers with others: a GDELT event mentioned by the same article
MENTION = Record(
    {
        "id": Spec(Text(40, description="the row's id in the data set, such as GDELT's GLOBALEVENTID")),
        "date": Spec(EdtfDate(description="the day the row gives the event")),
        "event_code": Spec(Text(10, description="its CAMEO EventCode")),
        "root": Spec(Flag(description="whether it is the root event of its article (IsRootEvent)")),
        "mentions": Spec(Count(description="NumMentions")),
        "sources": Spec(Count(description="NumSources")),
        "articles": Spec(Count(description="NumArticles")),
        "tone": Spec(Number(-100, 100, description="AvgTone"), required=False),
        "goldstein": Spec(Number(-10, 10, description="GoldsteinScale"), required=False),
        "quad_class": Spec(Count(maximum=4, description="QuadClass"), required=False),
    },
    description="one upstream row gathered into the development, with its counts",
    name="Mention",
)


#: where an imported development comes from: the upstream data set, its release and row.
#: The importers derive a development's id from ``dataset`` and ``row_id`` (never from
#: ``release``), so that a newer release of the same row is recognised and corrects it.
ORIGIN = Record(
    {
        "dataset": Spec(Slug(description="the upstream data set, such as ucdp-ged, ucdp-pa, plover, gdelt")),
        "release": Spec(Text(40, description="the data set's release or version, such as 22.1"), required=False),
        "row_id": Spec(Text(100, description="the row's id in the data set, such as 147997")),
        "flags": Spec(
            ListOf(
                Slug(description="a flag such as deaths-inconsistent"),
                max_items=20,
                description="what the importer noticed about the upstream row (and dealt with)",
            ),
            required=False,
        ),
        "codes": Spec(Codes(), required=False),
        "mentions": Spec(
            ListOf(MENTION, max_items=1000, description="every upstream row (a GDELT event) the development gathers"),
            required=False,
        ),
    },
    description="the upstream data set row an imported development comes from",
    name="Origin",
)


def envelope_fields(data: Kind) -> dict[str, Spec]:
    """The fields every development has, with ``data`` of the given kind."""
    return {
        "type": Spec(Choice(tuple(TYPES), description="the event type")),
        "occurred": Spec(EdtfDate(description="when it happened, as EDTF")),
        "conflicts": Spec(ListOf(CONFLICT, max_items=50), required=False),
        "actors": Spec(ACTORS, required=False),
        "persons": Spec(ListOf(PERSON, unique=False, max_items=50), required=False),
        "sources": Spec(ListOf(SOURCE, min_items=1, unique=False, max_items=50)),
        "summary": Spec(Text(1000, description="one human sentence")),
        "data": Spec(data),
        "id": Spec(DevelopmentId(ref=None, description="optional client-chosen id (UUID)"), required=False),
        "origin": Spec(ORIGIN, required=False),
    }


def _describe() -> None:
    for name, record in TYPES.items():
        record.description = f"data of {name}"
        record.name = f"{name}Data"  # its OpenAPI component


_describe()
