"""Third parties of an agreement (UCDP PA's ``pa_3rd``) as actor codes, where they can be told.

UCDP writes third parties as free text: ``OSCE, Russia``, ``the USA and the UN``,
``United Nations (UN)``, or whole sentences about who witnessed what.  A piece
that names a state (by its English name as ISO 3166 or everyday usage knows it)
becomes its ISO 3166-1 alpha-3 code; one that names an international
organisation this table knows becomes the organisation's code (registered on
first use).  Anything else (people, offices, sentences) is not an actor: it
stays in the agreement's summary, in UCDP's words.
"""

from __future__ import annotations

import re

import pycountry

#: organisation code -> (name, the names UCDP writes it under, lower case)
ORGANISATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "UN": ("United Nations", ("un", "united nations", "the un", "the united nations")),
    "AU": ("African Union", ("au", "african union", "the african union")),
    "OAU": ("Organisation of African Unity", ("oau", "organization of african unity", "organisation of african unity")),
    "EU": ("European Union", ("eu", "european union", "the european union")),
    "ECOWAS": ("Economic Community of West African States", ("ecowas", "economic community of west african states")),
    "ECCAS": (
        "Economic Community of Central African States",
        ("eccas", "economic community of central african states"),
    ),
    "IGAD": ("Intergovernmental Authority on Development", ("igad", "intergovernmental authority on development")),
    "OSCE": (
        "Organization for Security and Co-operation in Europe",
        (
            "osce",
            "organisation for security and cooperation in europe",
            "organization for security and co-operation in europe",
        ),
    ),
    "CSCE": ("Conference on Security and Co-operation in Europe", ("csce",)),
    "OIC": ("Organisation of Islamic Cooperation", ("oic", "organization of the islamic conference")),
    "OAS": ("Organization of American States", ("oas", "organization of american states")),
    "NATO": ("North Atlantic Treaty Organization", ("nato", "north atlantic treaty organization")),
    "ASEAN": ("Association of Southeast Asian Nations", ("asean",)),
    "SADC": ("Southern African Development Community", ("sadc",)),
    "LAS": ("League of Arab States", ("league of arab states", "arab league")),
    "OIF": ("International Organisation of La Francophonie", ("oif", "international organisation of la francophonie")),
    "CEN-SAD": ("Community of Sahel-Saharan States", ("cen-sad",)),
}

#: names of states that ISO 3166 does not list as such, as UCDP writes them (lower case)
STATE_NAMES: dict[str, str] = {
    "russia": "RUS",
    "the russian federation": "RUS",
    "ussr": "RUS",
    "the ussr": "RUS",
    "soviet union": "RUS",
    "uk": "GBR",
    "the united kingdom of great britain and northern ireland": "GBR",
    "the us": "USA",
    "the usa": "USA",
    "the united states of america": "USA",
    "ivory coast": "CIV",
    "cote divoire": "CIV",
    "cote d'ivoire": "CIV",
    "burkino faso": "BFA",
    "republic of congo": "COG",
    "zaire": "COD",
    "soloman islands": "SLB",
}

_BY_NAME = {name: code for code, (_, names) in ORGANISATIONS.items() for name in names}


def actor_codes(cell: str) -> list[str]:
    """The actor codes named in a ``pa_3rd`` cell, in order, each once (what is not recognised is left out)."""
    out: list[str] = []
    for piece in re.split(r"[,;\n]", cell):
        for code in _piece(piece):
            if code not in out:
                out.append(code)
    return out


def _piece(piece: str) -> list[str]:
    code = _code(piece)
    if code:
        return [code]
    parts = re.split(r"\band\b|/", piece)
    if len(parts) > 1:
        codes = [_code(part) for part in parts]
        return [c for c in codes if c]
    return []


def _code(text: str) -> str | None:
    name = " ".join(text.strip().strip(".").split()).lower()
    if not name:
        return None
    bare = name[4:] if name.startswith("the ") else name
    found = _BY_NAME.get(name) or _BY_NAME.get(bare) or STATE_NAMES.get(name) or STATE_NAMES.get(bare) or _state(bare)
    if found:
        return found
    bracketed = re.fullmatch(r"(.+?)\s*\((.+)\)", name)  # "united nations (un)", "osce (...)"
    if bracketed:
        return _code(bracketed[1]) or _code(bracketed[2])
    return None


def _state(name: str) -> str | None:
    """A state by its ISO 3166 name, official name or alpha-3 code (not alpha-2: ``AU`` is the African Union)."""
    if len(name) < 3:
        return None
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def organisation_name(code: str) -> str | None:
    """The name an organisation of the table is registered under (None for a state)."""
    known = ORGANISATIONS.get(code)
    return known[0] if known else None
