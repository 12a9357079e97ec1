"""Kinds of field value in the vocabulary, each able to check and normalise a value.

A kind knows its JSON shape (for the OpenAPI document) and how to check a value;
what a kind refers to (a conflict, an actor) is recorded as a ``ref`` so that the
log can look references up after the shape is known to be right.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from math import inf
from typing import Any
from urllib.parse import urlsplit

from events.vocabulary.errors import FieldError
from events.vocabulary.occurred import parse_occurred
from events.vocabulary.references import ISO_CODES, closest
from events.vocabulary.text import NO_CONTROL_PATTERN, refuse_control

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ACTOR_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:[-_][A-Z0-9]+)*$")
EXTERNAL_ID = re.compile(r"^[a-z][a-z0-9_.-]*:\S+$")

#: A reference found while checking: (kind of thing, id, field path).
Reference = tuple[str, str, str]


@dataclass
class Context:
    """What checking one development collects besides problems."""

    references: list[Reference] = field(default_factory=list)


class Kind:
    """A kind of value.  Subclasses implement ``check`` and ``schema``."""

    description = ""

    def check(self, value: Any, path: str, ctx: Context) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


def _type_name(value: Any) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "an array",
        dict: "an object",
    }
    return "null" if value is None else names.get(type(value), type(value).__name__)


@dataclass
class Text(Kind):
    max_length: int = 2000
    description: str = "text"

    def check(self, value: Any, path: str, ctx: Context) -> str:
        if not isinstance(value, str):
            raise FieldError(path, f"expected a string, got {_type_name(value)}")
        value = value.strip()
        if not value:
            raise FieldError(path, "must not be empty")
        if len(value) > self.max_length:
            raise FieldError(path, f"at most {self.max_length} characters (got {len(value)})")
        refuse_control(value, path)
        return str(value)

    def schema(self) -> dict[str, Any]:
        return {
            "type": "string",
            "minLength": 1,
            "maxLength": self.max_length,
            "pattern": NO_CONTROL_PATTERN,
            "description": self.description,
        }


@dataclass
class Slug(Kind):
    """A lowercase slug such as ``ukraine-east``; ``ref`` names what it refers to, if checked."""

    ref: str | None = None
    description: str = "a lowercase slug such as ukraine-east"

    def check(self, value: Any, path: str, ctx: Context) -> str:
        if not isinstance(value, str):
            raise FieldError(path, f"expected a lowercase slug such as 'ukraine-east', got {_type_name(value)}")
        if len(value) > 100 or not SLUG.match(value):
            raise FieldError(
                path,
                f"'{value[:100]}' is not a slug: lowercase letters, digits and single hyphens, such as 'ukraine-east'",
            )
        if self.ref:
            ctx.references.append((self.ref, value, path))
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG.pattern, "maxLength": 100, "description": self.description}


@dataclass
class ActorCode(Kind):
    """An ISO 3166-1 alpha-3 code or a registered organisation or group code."""

    known: bool = True
    description: str = "ISO 3166-1 alpha-3 code (RUS, FRA) or a registered organisation or group code (UNSC)"

    def check(self, value: Any, path: str, ctx: Context) -> str:
        if not isinstance(value, str):
            raise FieldError(path, f"expected an actor code such as 'RUS' or 'UNSC', got {_type_name(value)}")
        if len(value) > 40 or not ACTOR_CODE.match(value):
            raise FieldError(
                path,
                f"'{value[:40]}' is not an actor code: uppercase letters and digits, "
                "such as 'RUS' (ISO 3166-1 alpha-3) or 'UNSC'",
            )
        if self.known:
            ctx.references.append(("actor", value, path))
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": ACTOR_CODE.pattern, "maxLength": 40, "description": self.description}


@dataclass
class Choice(Kind):
    values: tuple[str, ...] = ()
    description: str = ""

    def check(self, value: Any, path: str, ctx: Context) -> str:
        if not isinstance(value, str) or value not in self.values:
            shown = repr(value) if isinstance(value, str) else _type_name(value)
            raise FieldError(path, f"expected one of {', '.join(self.values)}; got {shown}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values), "description": self.description}


@dataclass
class Flag(Kind):
    description: str = ""

    def check(self, value: Any, path: str, ctx: Context) -> bool:
        if not isinstance(value, bool):
            raise FieldError(path, f"expected true or false, got {_type_name(value)}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean", "description": self.description}


@dataclass
class Count(Kind):
    maximum: int = 10_000_000
    description: str = ""

    def check(self, value: Any, path: str, ctx: Context) -> int:
        """A whole number; JSON has one number type, so ``100.0`` and ``1e2`` are 100, as JSON Schema's integer says."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            shown = f"{value!r}" if isinstance(value, float) else _type_name(value)
            raise FieldError(path, f"expected a whole number, got {shown}")
        if not 0 <= value <= self.maximum:
            raise FieldError(path, f"expected a whole number from 0 to {self.maximum}, got {value}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": 0, "maximum": self.maximum, "description": self.description}


@dataclass
class Number(Kind):
    """A number within a range (a latitude, a longitude): whole or decimal, finite."""

    minimum: float = 0.0
    maximum: float = 0.0
    description: str = ""

    def check(self, value: Any, path: str, ctx: Context) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value in (inf, -inf):
            raise FieldError(path, f"expected a number, got {_type_name(value)}")
        if not self.minimum <= value <= self.maximum:
            raise FieldError(path, f"expected a number from {self.minimum:g} to {self.maximum:g}, got {value}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.minimum, "maximum": self.maximum, "description": self.description}


@dataclass
class CountryCode(Kind):
    """An ISO 3166-1 alpha-3 country code (a place, not an actor: registered organisations do not count)."""

    description: str = "an ISO 3166-1 alpha-3 country code, such as UKR"

    def check(self, value: Any, path: str, ctx: Context) -> str:
        if not isinstance(value, str):
            raise FieldError(path, f"expected an ISO 3166-1 alpha-3 code such as 'UKR', got {_type_name(value)}")
        if value not in ISO_CODES:
            hint = closest(value.upper(), ISO_CODES) if len(value) <= 40 else None
            suggestion = f"; did you mean '{hint}'?" if hint else ""
            raise FieldError(path, f"'{value[:40]}' is not an ISO 3166-1 alpha-3 country code{suggestion}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[A-Z]{3}$", "description": self.description}


#: how an upstream code is named in ``origin.codes``: QuadClass, type_of_violence, EventCode
CODE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


@dataclass
class Codes(Kind):
    """Upstream codes an importer interpreted, by the data set's own names (at most 20; scalar values)."""

    description: str = "the upstream codes interpreted, by the data set's names: EventCode, QuadClass, type_of_violence"

    def check(self, value: Any, path: str, ctx: Context) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldError(path, f"expected an object, got {_type_name(value)}")
        if len(value) > 20:
            raise FieldError(path, f"at most 20 codes, got {len(value)}")
        for name, code in value.items():
            if not CODE_NAME.match(name):
                raise FieldError(f"{path}.{name[:40]}", "a code's name is a letter, then letters, digits or _")
            if isinstance(code, str):
                Text(100).check(code, f"{path}.{name}", ctx)
            elif isinstance(code, bool) or code is None:
                continue
            elif not isinstance(code, int | float) or code != code or code in (inf, -inf):
                raise FieldError(f"{path}.{name}", f"expected a string, number or boolean, got {_type_name(code)}")
        return value

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "maxProperties": 20,
            "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
            "description": self.description,
        }


@dataclass
class EdtfDate(Kind):
    description: str = "an EDTF date: 2020-06-26, 2019-12, 2020, 2019-12-09/2020-06-26, 2020-06-26~"

    def check(self, value: Any, path: str, ctx: Context) -> str:
        return parse_occurred(value, path).text

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": 64, "description": self.description}


#: what ``str.isspace`` calls whitespace (the same test, one regex scan instead of a loop in Python)
_WHITESPACE = re.compile(r"\s")


@dataclass
class Url(Kind):
    description: str = "an http or https URL"

    def check(self, value: Any, path: str, ctx: Context) -> str:
        if not isinstance(value, str):
            raise FieldError(path, f"expected a URL, got {_type_name(value)}")
        refuse_control(value, path)
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or len(value) > 2000
            or _WHITESPACE.search(value) is not None
        ):
            raise FieldError(path, f"expected an http or https URL, got '{value[:100]}'")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "maxLength": 2000, "description": self.description}


@dataclass
class DevelopmentId(Kind):
    """The id of a development already in the log (a UUID)."""

    ref: str | None = "development"
    description: str = "the id (UUID) of a development"

    def check(self, value: Any, path: str, ctx: Context) -> str:
        text = parse_uuid(value, path)
        if self.ref:
            ctx.references.append((self.ref, text, path))
        return text

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uuid", "description": self.description}


def parse_uuid(value: Any, path: str) -> str:
    """Return the canonical text of a UUID, or raise ``FieldError``."""
    if not isinstance(value, str):
        raise FieldError(path, f"expected a UUID, got {_type_name(value)}")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise FieldError(path, f"'{value[:60]}' is not a UUID") from None


@dataclass
class ListOf(Kind):
    item: Kind = field(default_factory=Text)
    min_items: int = 0
    max_items: int = 100
    unique: bool = True
    description: str = ""

    def check(self, value: Any, path: str, ctx: Context) -> list[Any]:
        if not isinstance(value, list):
            raise FieldError(path, f"expected an array, got {_type_name(value)}")
        if len(value) < self.min_items:
            raise FieldError(path, f"expected at least {self.min_items} item{'s' if self.min_items > 1 else ''}")
        if len(value) > self.max_items:
            raise FieldError(path, f"expected at most {self.max_items} items, got {len(value)}")
        out = [self.item.check(v, f"{path}[{i}]", ctx) for i, v in enumerate(value)]
        if self.unique and all(isinstance(v, str) for v in out):
            seen: set[str] = set()
            for i, v in enumerate(out):
                if v in seen:
                    raise FieldError(f"{path}[{i}]", f"'{v}' is listed twice")
                seen.add(v)
        return out

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema(), "maxItems": self.max_items}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.unique:
            out["uniqueItems"] = True
        if self.description:
            out["description"] = self.description
        return out
