"""Which GDELT rows are signal: the stated rules that filter the rest out, and where a row belongs.

Every row read is either imported, rejected (it cannot be read), or filtered
out by exactly one of these rules, tried in this order and counted in the
import report:

1. ``dropped-by-plover``: its CAMEO root is one PLOVER dropped on purpose
   (01 make public statement, 02 appeal); counted apart, not as rejected.
2. ``no-development-type``: its PLOVER category has no development type
   (COOPERATE, AID, CONCEDE, PROTEST, MOBILIZE, SANCTION, COERCE, a RETREAT
   other than a ceasefire), or the type needs a state where the row has none.
3. ``minor-mention``: not the root event of its article (IsRootEvent 0) and
   mentioned fewer than ``MIN_MENTIONS`` times.
4. ``no-actor``: neither actor is coded.
5. ``commercial-or-local-actor``: an actor is a business, the media, a school,
   a hospital, a union, farmers or criminals (CAMEO types BUS, MNC, MED, EDU,
   HLH, LAB, AGR, ENV, CRM) and nothing political.
6. ``actor-without-country-or-type``: an actor has no country, no known group
   and no political or armed type (GDELT's "BANK", "COMPANY", "RESIDENTS").
7. ``single-actor-meeting``: a meeting or consultation (CAMEO 04, or 036,
   intent to meet) with fewer than two distinct actors.
8. ``place-unknown``: no ActionGeo country, or one without an ISO code.
9. ``place-outside-territory``: the place is in no registered conflict's
   ``territory`` (or, with ``--conflict X``, outside X's).
10. ``actors-do-not-fit``: the place is in a conflict's territory but an actor
    does not fit that conflict (see ``fits``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from events.importers.gdelt_codes import fips_countries
from events.importers.gdelt_layouts import Actor, GdeltRow
from events.importers.plover_types import state_code

#: a row that is not the root event of its article needs this many mentions to count
MIN_MENTIONS = 3

#: CAMEO actor types of political or armed actors (who may act in a conflict without a coded country)
POLITICAL_TYPES = frozenset(
    {"GOV", "MIL", "COP", "JUD", "LEG", "SPY", "OPP", "PTY", "REB", "INS", "SEP", "UAF", "IGO", "NGO", "NGM"}
    | {"PKO", "CVL", "REF", "HRI", "ELI", "MOD", "RAD", "IRC", "AMN"}
)
#: CAMEO actor types of commercial and local actors: the noise of a conflict record
COMMERCIAL_OR_LOCAL_TYPES = frozenset({"BUS", "MNC", "MED", "EDU", "HLH", "LAB", "AGR", "ENV", "CRM"})

RULES = {
    "dropped-by-plover": "CAMEO root dropped by PLOVER on purpose (01 make public statement, 02 appeal)",
    "no-development-type": "no development type fits the PLOVER category (or it needs a state the row lacks)",
    "minor-mention": f"not the root event of its article and mentioned fewer than {MIN_MENTIONS} times",
    "no-actor": "no actor coded",
    "commercial-or-local-actor": "an actor is commercial or local (business, media, school, hospital, union...)",
    "actor-without-country-or-type": "an actor has no country, no known group and no political or armed type",
    "single-actor-meeting": "a meeting or consultation with fewer than two distinct actors",
    "place-unknown": "no ActionGeo country, or one with no ISO 3166-1 code",
    "place-outside-territory": "the place is outside the territory of every registered conflict asked for",
    "actors-do-not-fit": "the place is in a conflict's territory but an actor does not fit its parties",
}


class Filtered(Exception):
    """A row filtered out by a rule (one of ``RULES``)."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


@dataclass(frozen=True)
class ConflictScope:
    """What the log says of a conflict that placing rows needs: its territory and parties."""

    conflict: str
    territory: frozenset[str]
    parties: frozenset[str] = frozenset()

    @property
    def countries(self) -> frozenset[str]:
        """The countries whose actors fit: the territory's and the state parties'."""
        return self.territory | {p for p in self.parties if state_code(p) == p}


@dataclass
class Counts:
    """How many rows each rule filtered out, in the order of ``RULES``."""

    by_rule: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))

    def add(self, rule: str) -> None:
        self.by_rule[rule] += 1

    def notes(self) -> list[str]:
        """One line a rule that filtered anything: the rows it filtered and why."""
        out = []
        for rule, count in self.by_rule.items():
            if count:
                kind = "dropped by PLOVER" if rule == "dropped-by-plover" else f"filtered out ({rule})"
                out.append(f"{kind}: {count} row{'s' if count != 1 else ''}: {RULES[rule]}")
        return out


def check_actors(row: GdeltRow, consult: bool) -> None:
    """Rules 3 to 7; raises ``Filtered``."""
    if not row.is_root and row.mentions < MIN_MENTIONS:
        raise Filtered("minor-mention")
    actors = [a for a in (row.actor1, row.actor2) if a.present]
    if not actors:
        raise Filtered("no-actor")
    for actor in actors:
        types = set(actor.types)
        if types & COMMERCIAL_OR_LOCAL_TYPES and not types & POLITICAL_TYPES:
            raise Filtered("commercial-or-local-actor")
        if not country_of(actor) and not actor.known_group and not types & POLITICAL_TYPES:
            raise Filtered("actor-without-country-or-type")
    if consult and len({identity(a) for a in actors}) < 2:
        raise Filtered("single-actor-meeting")


def place_of(row: GdeltRow) -> str:
    """The ISO alpha-3 code of the row's ActionGeo country (rule 8 when there is none)."""
    entry = fips_countries().get(row.fips)
    if entry is None or entry.iso3 is None:
        raise Filtered("place-unknown")
    return entry.iso3


def place(row: GdeltRow, scopes: Iterable[ConflictScope]) -> list[str]:
    """The conflicts a row belongs to (rules 8 to 10; raises ``Filtered`` when none)."""
    iso3 = place_of(row)
    holding = [s for s in scopes if iso3 in s.territory]
    if not holding:
        raise Filtered("place-outside-territory")
    fitting = [s.conflict for s in holding if all(fits(a, s) for a in (row.actor1, row.actor2) if a.present)]
    if not fitting:
        raise Filtered("actors-do-not-fit")
    return sorted(fitting)


def fits(actor: Actor, scope: ConflictScope) -> bool:
    """Whether an actor fits a conflict.

    An actor with a country fits when that country is in the conflict's
    territory or is one of its state parties.  An actor without a country fits
    when its known group is one of the conflict's parties (``TAL`` and a party
    ``tal``), or when it is of a political or armed type (rebels, police,
    militants of the place): the place is in the territory already.
    """
    country = country_of(actor)
    if country:
        return country in scope.countries
    parties = {p.lower() for p in scope.parties}
    if actor.known_group and actor.known_group.lower() in parties:
        return True
    return bool(set(actor.types) & POLITICAL_TYPES)


def country_of(actor: Actor) -> str | None:
    """The actor's country as ISO alpha-3 (CAMEO country codes are ISO alpha-3 but for a few)."""
    return state_code(actor.country) if actor.country else None


def identity(actor: Actor) -> str:
    """Who an actor is, for telling two apart: its country, else its known group, else its code."""
    return country_of(actor) or actor.known_group or actor.code or actor.name
