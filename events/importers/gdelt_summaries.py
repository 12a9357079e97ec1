"""A GDELT development's summary: a sentence from its actors, the CAMEO description and the place.

``Russia's military used conventional military force against Ukraine's military
near Donetsk, Donets'ka Oblast', Ukraine (GDELT, 3 articles).``  Actors are named
from their country (``country_name``) and CAMEO type, or GDELT's name for a known
group; the event from the CAMEO description (``gdelt_codes.describe``) put in
the past tense; never a code.
"""

from __future__ import annotations

import re

from events.importers.gdelt_codes import country_name, describe
from events.importers.gdelt_filters import country_of
from events.importers.gdelt_layouts import Actor, GdeltRow

#: CAMEO actor types, as a noun: institutions ("Russia's military") and groups ("rebels in Syria")
INSTITUTIONS = {
    "GOV": "government",
    "MIL": "military",
    "COP": "police",
    "JUD": "judiciary",
    "LEG": "legislature",
    "SPY": "intelligence services",
    "OPP": "opposition",
}
GROUPS = {
    "REB": "rebels",
    "INS": "insurgents",
    "SEP": "separatists",
    "UAF": "armed groups",
    "PTY": "political parties",
    "CVL": "civilians",
    "REF": "refugees",
    "HRI": "human rights groups",
    "ELI": "elites",
    "MOD": "moderates",
    "RAD": "radicals",
    "IGO": "international organisations",
    "NGO": "non-governmental organisations",
    "NGM": "non-governmental movements",
    "PKO": "peacekeepers",
}

#: the past tense of the verbs CAMEO descriptions begin with, where adding -ed or -d is wrong
_IRREGULAR = {
    "make": "made",
    "fight": "fought",
    "meet": "met",
    "give": "gave",
    "forgive": "forgave",
    "find": "found",
    "bring": "brought",
    "hold": "held",
    "take": "took",
    "break": "broke",
    "send": "sent",
    "ban": "banned",
    "expel": "expelled",
    "veto": "vetoed",
    "stop": "stopped",
    "withdraw": "withdrew",
    "apolgize": "apologised",  # so spelled in the CAMEO code file
    "ostruct": "obstructed",  # so spelled in the CAMEO code file
}
#: descriptions beginning with these verbs take the other actor as their object ("accused Russia of ...")
_TRANSITIVE = {
    "accuse",
    "criticize",
    "praise",
    "defend",
    "threaten",
    "forgive",
    "assassinate",
    "abduct",
    "torture",
    "kill",
    "arrest",
    "expel",
    "investigate",
    "reject",
    "defy",
    "host",
    "attack",
}
#: how the other actor follows the event, by CAMEO root
_RELATION = {
    "03": "with",
    "04": "with",
    "05": "with",
    "06": "with",
    "07": "to",
    "08": "toward",
    "09": "concerning",
    "10": "of",
    "11": "against",
    "12": "against",
    "13": "against",
    "14": "against",
    "15": "against",
    "16": "toward",
    "17": "against",
    "18": "against",
    "19": "against",
    "20": "against",
}
_ADVERBS = {"physically", "sexually"}


def actor_phrase(actor: Actor) -> str | None:
    """How a sentence names an actor: ``Russia's military``, ``rebels in Syria``, ``Taliban``, ``the police``."""
    if not actor.present:
        return None
    country = country_of(actor)
    where = country_name(country) if country else None
    for kind in actor.types:
        if kind in INSTITUTIONS:
            noun = INSTITUTIONS[kind]
            return f"{_possessive(where)} {noun}" if where else f"the {noun}"
        if kind in GROUPS and not actor.known_group:
            return f"{GROUPS[kind]} in {where}" if where else GROUPS[kind]
    if where:
        return where
    if actor.name:
        return actor.name.title()
    return None


def past_tense(description: str) -> str:
    """``Use conventional military force`` -> ``used conventional military force``; ``Abduct, hijack`` too."""
    verbs, rest = verb_group(description)
    return f"{verbs} {rest}".strip()


def verb_group(description: str) -> tuple[str, str]:
    """A CAMEO description's leading verbs in the past tense, and the rest.

    ``Criticize or denounce`` -> (``criticized or denounced``, ``""``);
    ``Accuse of crime, corruption`` -> (``accused``, ``of crime, corruption``).
    """
    words = description.split(" ")
    verbs: list[str] = []
    expect_verb = True
    for index, word in enumerate(words):
        bare = word.rstrip(",").lower()
        if expect_verb and bare in _ADVERBS:
            verbs.append(bare)
        elif expect_verb and verbs and bare == "or":
            verbs.append("or")
        elif expect_verb and re.fullmatch(r"[a-z][a-z'-]*", bare):
            comma = word.endswith(",")
            verbs.append(_past(bare) + ("," if comma else ""))
            expect_verb = comma
        elif not expect_verb and bare == "or" and index + 1 < len(words) and _is_verb(words[index + 1]):
            verbs.append("or")
            expect_verb = True
        else:
            return " ".join(verbs).rstrip(","), " ".join(words[index:])
        if not expect_verb and index + 1 < len(words) and words[index + 1].lower() != "or":
            return " ".join(verbs).rstrip(","), " ".join(words[index + 1 :])
    return " ".join(verbs).rstrip(","), ""


def _is_verb(word: str) -> bool:
    """Whether a word after ``or`` begins a second verb (``Praise or endorse``), not an object (``or regime``)."""
    return word.rstrip(",").lower() in _VERBS_AFTER_OR


#: words that follow ``or`` in CAMEO descriptions as a second verb
_VERBS_AFTER_OR = {"endorse", "denounce", "damage", "claim", "rally", "surrender", "increase", "break", "stop"} | {
    "withdraw",
    "deport",
}


def _past(verb: str) -> str:
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def summary(row: GdeltRow, articles: int) -> str:
    """The sentence for a development whose representative row is ``row``, reported by ``articles`` articles."""
    first = actor_phrase(row.actor1) or actor_phrase(row.actor2) or "Unnamed actors"
    other = actor_phrase(row.actor2) if row.actor1.present else None
    if other == first:
        other = None
    description = describe(row.code) or describe(row.root_code) or "Act"
    verbs, rest = verb_group(description)
    tail = f" {rest}" if rest else ""
    transitive = description.split(" ", 1)[0].rstrip(",").lower() in _TRANSITIVE
    if other and transitive and (not rest or rest.split(" ", 1)[0] in ("of", "with", "by")):
        event = f"{verbs} {other}{tail}"
    elif other:
        event = f"{verbs}{tail} {_RELATION.get(row.root_code, 'with')} {other}"
    else:
        event = f"{verbs}{tail}"
    where = ""
    if row.place:
        where = f" {'in' if row.geo_type in (1, 2, 5) else 'near'} {row.place}"
    told = f"GDELT, {articles} article{'s' if articles != 1 else ''}"
    sentence = f"{first} {event}{where} ({told})."
    return sentence[0].upper() + sentence[1:]
