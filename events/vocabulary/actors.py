"""Every actor a development names: in ``actors``, in its ``data``, or as the state a person represents.

A development need not repeat in ``actors`` the participants, parties, ``by``
or ``represents`` its data and persons already name: they count as its actors
(the log's index and the ``actor`` filter include them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.vocabulary.event_types import ACTOR_FIELDS


def actors_of(content: Mapping[str, Any]) -> list[str]:
    """The actors a development's content names, each once, those of ``actors`` first."""
    found: dict[str, None] = dict.fromkeys(content.get("actors") or ())
    data = content.get("data") or {}
    for name in ACTOR_FIELDS.get(str(content.get("type")), ()):
        value = data.get(name)
        for code in value if isinstance(value, list) else [value] if value else []:
            found.setdefault(code)
    for person in content.get("persons") or ():
        if isinstance(person, Mapping) and person.get("represents"):
            found.setdefault(person["represents"])
    return [code for code in found if isinstance(code, str)]
