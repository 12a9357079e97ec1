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

This module is the write half: the bytes, the hashes and the links written with
the events.  ``events.audit.walk`` recomputes the chain to verify it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from uuid import UUID

import orjson
import rfc8785
from eventsourcing.persistence import JSONTranscoder

from events.log.merkle import leaf_hash

GENESIS = "0" * 64
#: integers beyond this are not I-JSON, and RFC 8785 cannot represent them exactly
_SAFE_INTEGER = 2**53 - 1
#: floats whose magnitude is in this range are written alike by orjson and RFC 8785 (ECMAScript's notation):
#: positional, shortest round-trip digits; below 1e-5 orjson writes an exponent where ECMAScript does not
_PLAIN_FLOATS = (1e-5, 1e15)


# -- canonical bytes -------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 bytes of a JSON value.

    orjson's sorted compact output is RFC 8785 for values without huge integers,
    floats outside [1e-5, 1e15) or keys outside the Basic Multilingual Plane (it
    sorts keys by code point, escapes exactly the characters RFC 8785 escapes,
    and writes such floats in the same shortest digits, with a whole float as
    the integer RFC 8785 writes; property tests check), and is ten times faster
    than the standard encoder; other values go through ``rfc8785``.
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
    if kind is float:  # coordinates: RFC 8785 writes 48.0 as 48, and 47.92 in orjson's digits and notation
        size = abs(value)
        if size < _SAFE_INTEGER and value == int(value):
            return int(value)
        if _PLAIN_FLOATS[0] <= size < _PLAIN_FLOATS[1]:
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


def chain_entries(rows: Iterable[StoredRow], prev_hash: str) -> tuple[list[Link], list[bytes]]:
    """Links of newly stored events (in position order) after ``prev_hash``, and their Merkle leaf hashes.

    Each entry's bytes are made once and hashed twice: for the chain (SHA-256
    of the bytes, hex) and for the Merkle tree (``events.log.merkle.leaf_hash``).
    """
    links, leaves = [], []
    sha256 = hashlib.sha256
    for row in rows:
        entry = entry_bytes(row.position, row.id, row.version, row.topic, row.state, prev_hash)
        digest = sha256(entry).hexdigest()
        links.append(Link(row.position, row.id, digest, prev_hash))
        leaves.append(leaf_hash(entry))
        prev_hash = digest
    return links, leaves


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
