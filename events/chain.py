"""The hash chain: every stored event hashed over canonical bytes and linked to its predecessor.

An entry of the chain is the JSON object

    {"id": <originator id>, "position": <log position>, "prev_hash": <hex>,
     "state": <the stored event>, "topic": <event class topic>, "version": <originator version>}

and its hash is the SHA-256 (hex) of the entry's RFC 8785 (JSON Canonicalization
Scheme) bytes.  ``prev_hash`` is the hash of the entry before it in position order
(``GENESIS`` for the first), so changing, removing, adding or moving any stored
event changes every hash after it.

The log stores each event's state as RFC 8785 bytes (``CanonicalJSONTranscoder``),
so an entry's canonical bytes are the stored bytes with a few fields around them:
nothing is decoded to hash or to verify, and every stored byte is covered.

``walk`` recomputes the chain from the stored events, streaming, and compares it
with the chain rows written when the events were (``Link``) and with signed
checkpoints; it names the first position that breaks and how.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from uuid import UUID

import orjson
import rfc8785
from eventsourcing.persistence import JSONTranscoder

GENESIS = "0" * 64
#: integers beyond this are not I-JSON, and RFC 8785 cannot represent them exactly
_SAFE_INTEGER = 2**53 - 1

BreakKind = Literal["altered", "missing", "inserted", "reordered"]


# -- canonical bytes -------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 bytes of a JSON value.

    orjson's sorted compact output is RFC 8785 for values without floats, huge
    integers or keys outside the Basic Multilingual Plane (it sorts keys by
    code point and escapes exactly the characters RFC 8785 escapes, as a
    property test checks), and is ten times faster than the standard encoder;
    other values go through ``rfc8785``.
    """
    try:
        return orjson.dumps(_jsonable(value, None), option=orjson.OPT_SORT_KEYS)
    except (_NotPlain, orjson.JSONEncodeError):
        return rfc8785.dumps(value)


Custom = Callable[[Any], dict[str, Any]] | None


class _NotPlain(Exception):
    """The value needs the general canonicaliser."""


def _jsonable(value: Any, custom: Custom) -> Any:
    """``value`` as plain JSON for orjson (``custom`` gives other objects' JSON forms), or ``_NotPlain``.

    Only containers that hold a custom object are copied.  Exact types are
    tested first: this runs for every event stored.  orjson would write some
    objects (datetimes, UUIDs, dataclasses) its own way, so none reaches it.
    """
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return value
        raise _NotPlain
    if kind is dict:
        copy: dict[str, Any] | None = None
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key, default="") < "\ud800"):
                raise _NotPlain  # code point order is UTF-16 order only below the surrogates
            if type(item) is not str:
                converted = _jsonable(item, custom)
                if converted is not item:
                    copy = copy if copy is not None else dict(value)
                    copy[key] = converted
        return value if copy is None else copy
    if kind is list:
        items = [item if type(item) is str else _jsonable(item, custom) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, float):
        raise _NotPlain
    if isinstance(value, str):  # subclasses are written as their base type
        return str(value)
    if isinstance(value, int):
        return _jsonable(int(value), custom)
    if isinstance(value, dict):
        return _jsonable(dict(value), custom)
    if isinstance(value, list | tuple):
        return _jsonable(list(value), custom)
    if custom is None:
        raise _NotPlain
    return _jsonable(custom(value), custom)


class CanonicalJSONTranscoder(JSONTranscoder):
    """The library's JSON transcoder, writing RFC 8785 bytes (so that stored bytes are canonical).

    Numbers are stored as RFC 8785 writes them: ``2.0`` as ``2`` (it reads back
    as an int) and integers beyond 2**53 are refused, as I-JSON requires.
    """

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(_jsonable(obj, self._encode_obj), option=orjson.OPT_SORT_KEYS)
        except (_NotPlain, orjson.JSONEncodeError):
            return rfc8785.dumps(_to_json_value(obj, self._encode_obj))


def _to_json_value(value: Any, custom: Callable[[Any], dict[str, Any]]) -> Any:
    """``value`` with every registered custom type replaced by its ``{_type_, _data_}`` form."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {k: _to_json_value(v, custom) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json_value(v, custom) for v in value]
    return _to_json_value(custom(value), custom)


@lru_cache(maxsize=256)
def _json_string(text: str) -> bytes:
    return rfc8785.dumps(text)


def entry_id(originator_id: UUID | str) -> str:
    """How an entry names its originator: a UUID's canonical text, or the id itself."""
    return str(originator_id)


def entry_bytes(position: int, ident: str, version: int, topic: str, state: bytes, prev_hash: str) -> bytes:
    """The RFC 8785 bytes of one chain entry, given the stored (canonical) state."""
    ident_json = b'"%s"' % ident.encode() if _simple_ascii(ident) else rfc8785.dumps(ident)
    return b'{"id":%s,"position":%d,"prev_hash":"%s","state":%s,"topic":%s,"version":%d}' % (
        ident_json,
        position,
        prev_hash.encode(),
        state,
        _json_string(topic),
        version,
    )


_SIMPLE_ASCII = re.compile(r"[ !#-\[\]-~]*")  # printable ASCII but for " and \\


def _simple_ascii(text: str) -> bool:
    return _SIMPLE_ASCII.fullmatch(text) is not None


def entry_hash(position: int, ident: str, version: int, topic: str, state: bytes, prev_hash: str) -> str:
    """The hex SHA-256 of one entry's canonical bytes."""
    return hashlib.sha256(entry_bytes(position, ident, version, topic, state, prev_hash)).hexdigest()


# -- links written with the events ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """One row of the chain table: the entry at ``position`` names ``id`` and hashes to ``hash``."""

    position: int
    id: str
    hash: str
    prev_hash: str


#: a stored event with its link, as a verification reads it: position, id, version, topic, state,
#: and the link's id, hash and prev_hash (None when the position has no link)
Joined = tuple[int, str, int, str, bytes, str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class StoredRow:
    """A stored event as the chain sees it: no decoding, just the stored columns."""

    position: int
    id: str
    version: int
    topic: str
    state: bytes


def links_for(rows: Iterable[StoredRow], prev_hash: str) -> list[Link]:
    """Chain rows for newly stored events (in position order) after the entry ``prev_hash``."""
    links = []
    for row in rows:
        digest = entry_hash(row.position, row.id, row.version, row.topic, row.state, prev_hash)
        links.append(Link(row.position, row.id, digest, prev_hash))
        prev_hash = digest
    return links


def table_statements(prefix: str, serial_key: str) -> list[str]:
    """CREATE statements of the chain and checkpoint tables; ``prefix`` qualifies names."""
    return [
        f"CREATE TABLE IF NOT EXISTS {prefix}event_chain ("
        f"position {serial_key} PRIMARY KEY, id TEXT NOT NULL, hash TEXT NOT NULL, prev_hash TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {prefix}signed_checkpoints ("
        f"position {serial_key} NOT NULL, hash TEXT NOT NULL, signed_at TEXT NOT NULL, key_id TEXT NOT NULL, "
        "public_key TEXT NOT NULL, signature TEXT NOT NULL, PRIMARY KEY (position, key_id))",
    ]


# -- verifying ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Anchor:
    """A (position, hash) the chain must contain: a signed checkpoint whose signature holds."""

    position: int
    hash: str
    label: str  # "the checkpoint signed at ... by key ..."


@dataclass(frozen=True, slots=True)
class Break:
    """Where and how the log stops matching its chain or a checkpoint."""

    position: int
    kind: BreakKind
    detail: str
    development: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "kind": self.kind, "detail": self.detail, "development": self.development}


@dataclass
class Verdict:
    """The outcome of a walk: ok, or the first break."""

    head: int = 0
    developments: int = 0
    anchors: int = 0
    head_hash: str = GENESIS
    broken: Break | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None


class Lookups:
    """Where the walk looks, only once something is wrong, to say how it went wrong."""

    def link_position(self, ident: str) -> int | None:
        """The position at which the chain recorded the event of ``ident``."""
        raise NotImplementedError

    def stored_position(self, ident: str) -> int | None:
        """The position at which the event of ``ident`` is stored now."""
        raise NotImplementedError


def quick_walk(rows: Iterable[Joined], anchors: Sequence[Anchor]) -> Verdict | None:
    """The verdict of an intact log, in one pass over stored events joined with their links.

    Answers None at the first doubt (a link that disagrees or is missing, an
    anchor not met): ``walk`` then finds where and how the log breaks.
    """
    pending = sorted(anchors, key=lambda a: a.position)
    met, next_anchor = 0, pending[0].position if pending else None
    running, count, head = GENESIS, 0, 0
    sha256 = hashlib.sha256
    for position, ident, version, topic, state, link_id, link_hash, link_prev in rows:
        if link_prev != running or link_id != ident:
            return None
        running = sha256(entry_bytes(position, ident, version, topic, state, running)).hexdigest()
        if running != link_hash:
            return None
        count, head = count + 1, position
        while next_anchor is not None and next_anchor <= position:
            if next_anchor < position or pending[met].hash != running:
                return None
            met += 1
            next_anchor = pending[met].position if met < len(pending) else None
    if next_anchor is not None:
        return None
    return Verdict(head=head, developments=count, anchors=met, head_hash=running)


def walk(
    rows: Iterable[StoredRow],
    links: Iterable[Link],
    anchors: Sequence[Anchor],
    lookups: Lookups,
) -> Verdict:
    """Recompute the chain over ``rows`` and compare it with ``links`` and ``anchors``.

    ``rows`` and ``links`` are in position order (each may be a streaming
    generator).  Stops at the first break.
    """
    verdict = Verdict()
    pending = sorted(anchors, key=lambda a: a.position)
    next_anchor = 0
    running = GENESIS  # hash of the last intact entry
    before_running = GENESIS  # hash of the one before it
    last_good = 0
    for row, link in _merge(iter(rows), iter(links)):
        position = row.position if row is not None else link.position  # type: ignore[union-attr]
        if next_anchor < len(pending) and pending[next_anchor].position < position:
            verdict.broken = _anchor_skipped(pending[next_anchor], last_good)
            return verdict
        found = _check(row, link, running, before_running, last_good, lookups)
        if isinstance(found, Break):
            verdict.broken = found
            return verdict
        before_running, running, last_good = running, found, position
        verdict.developments += 1
        verdict.head, verdict.head_hash = position, running
        while next_anchor < len(pending) and pending[next_anchor].position == position:
            anchor = pending[next_anchor]
            if anchor.hash != running:
                verdict.broken = Break(
                    position,
                    "altered",
                    f"the chain at position {position} no longer matches {anchor.label}: the log was rewritten "
                    f"at or before position {position}, after the last matching checkpoint",
                    row.id if row else None,
                )
                return verdict
            verdict.anchors += 1
            next_anchor += 1
    if next_anchor < len(pending):
        verdict.broken = _anchor_skipped(pending[next_anchor], last_good)
    return verdict


def _merge(rows: Iterator[StoredRow], links: Iterator[Link]) -> Iterator[tuple[StoredRow | None, Link | None]]:
    """Pairs of (stored row, link) by position; either is None where only the other exists."""
    row = next(rows, None)
    link = next(links, None)
    while row is not None or link is not None:
        if link is None or (row is not None and row.position < link.position):
            yield row, None
            row = next(rows, None)
        elif row is None or link.position < row.position:
            yield None, link
            link = next(links, None)
        else:
            yield row, link
            row, link = next(rows, None), next(links, None)


def _check(
    row: StoredRow | None, link: Link | None, running: str, before: str, last_good: int, lookups: Lookups
) -> str | Break:
    """The entry's hash when the row and its link agree with the chain so far, else the break."""
    if row is None:
        assert link is not None
        moved = lookups.stored_position(link.id)
        if moved is not None:
            return Break(
                link.position,
                "reordered",
                f"development {link.id}, chained at position {link.position}, is stored at position {moved}",
                link.id,
            )
        return Break(
            link.position,
            "missing",
            f"development {link.id}, chained at position {link.position}, is no longer stored",
            link.id,
        )
    if link is None:
        chained = lookups.link_position(row.id)
        if chained is not None:
            return Break(
                row.position,
                "reordered",
                f"development {row.id}, stored at position {row.position}, was chained at position {chained}",
                row.id,
            )
        return Break(
            row.position,
            "inserted",
            f"position {row.position} holds development {row.id}, which the chain never recorded",
            row.id,
        )
    digest = entry_hash(row.position, row.id, row.version, row.topic, row.state, running)
    if digest == link.hash and link.prev_hash == running and link.id == row.id:
        return digest
    if link.id != row.id:
        chained = lookups.link_position(row.id)
        if chained is not None:
            return Break(
                row.position,
                "reordered",
                f"position {row.position} holds development {row.id}, which was chained at position {chained}; "
                f"the chain recorded development {link.id} here",
                row.id,
            )
        moved = lookups.stored_position(link.id)
        if moved is not None:
            return Break(
                row.position,
                "inserted",
                f"position {row.position} holds development {row.id}, which the chain never recorded; "
                f"development {link.id}, chained here, is now at position {moved}",
                row.id,
            )
        return Break(
            row.position,
            "altered",
            f"position {row.position} holds development {row.id} in place of development {link.id}, "
            "which the chain recorded here",
            row.id,
        )
    if link.prev_hash != running:
        intact = entry_hash(row.position, row.id, row.version, row.topic, row.state, link.prev_hash) == link.hash
        if intact and link.prev_hash == before and last_good:
            return Break(
                last_good,
                "inserted",
                f"the development at position {last_good} is not in the chain: position {row.position} "
                "was chained directly after the one before it",
            )
        if intact:
            where = f"after position {last_good}" if last_good else "at the start of the log"
            return Break(
                row.position,
                "missing",
                f"the development chained just before position {row.position} is gone ({where})",
                row.id,
            )
        return Break(row.position, "altered", f"the chain row at position {row.position} was altered", row.id)
    if digest != link.hash:
        return Break(
            row.position,
            "altered",
            f"development {row.id} at position {row.position} differs from what was chained",
            row.id,
        )
    return Break(row.position, "altered", f"the chain row at position {row.position} was altered", row.id)


def _anchor_skipped(anchor: Anchor, last_good: int) -> Break:
    return Break(
        anchor.position,
        "missing",
        f"{anchor.label} covers position {anchor.position}, which the log no longer holds "
        f"(the last intact position before it is {last_good})",
    )
