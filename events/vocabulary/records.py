"""Objects in the vocabulary: records with known fields (each a ``Spec``), and objects checked elsewhere.

A record refuses unknown fields and collects every problem of its fields at
once; it knows its JSON schema, written out or, for a record with a ``name``,
as a reference to the OpenAPI component that holds it once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from events.vocabulary.errors import FieldError
from events.vocabulary.kinds import Context, Kind, _type_name


@dataclass
class Spec:
    """A named field of an object: its kind and whether it must be given."""

    kind: Kind
    required: bool = True


#: where the OpenAPI document keeps named schemas
COMPONENTS = "#/components/schemas/"


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null: an optional field may be given as null, which counts as absent."""
    inner = {k: v for k, v in schema.items() if k != "description"}
    out: dict[str, Any] = {"anyOf": [inner, {"type": "null"}]}
    if schema.get("description"):
        out["description"] = schema["description"]
    return out


@dataclass
class Record(Kind):
    """An object with known fields; unknown fields are refused.

    An optional field given as null counts as absent, and the JSON schema says
    so (``nullable``); a required one given as null is missing.  A record with a
    ``name`` is documented once, as that component, and referred to elsewhere.
    """

    fields: Mapping[str, Spec] = field(default_factory=dict)
    rules: Sequence[Callable[[dict[str, Any], str], None]] = ()
    description: str = ""
    #: the OpenAPI component it is documented as (empty: written out where it is used)
    name: str = ""

    def check(self, value: Any, path: str, ctx: Context) -> dict[str, Any]:
        errors: list[FieldError] = []
        out = self.check_collecting(value, path, ctx, errors)
        if errors:
            raise errors[0]
        return out

    def check_collecting(self, value: Any, path: str, ctx: Context, errors: list[FieldError]) -> dict[str, Any]:
        """Check every field, appending every problem found to ``errors``."""
        if not isinstance(value, dict):
            errors.append(FieldError(path or "(body)", f"expected an object, got {_type_name(value)}"))
            return {}
        prefix = f"{path}." if path else ""
        out: dict[str, Any] = {}
        for name in value:
            if name not in self.fields:
                known = ", ".join(self.fields) or "none"
                errors.append(FieldError(f"{prefix}{name}", f"unknown field; the fields here are: {known}"))
        for name, spec in self.fields.items():
            if name not in value or value[name] is None:
                if spec.required:
                    errors.append(FieldError(f"{prefix}{name}", "is required"))
                continue
            try:
                if isinstance(spec.kind, Record):
                    out[name] = spec.kind.check_collecting(value[name], f"{prefix}{name}", ctx, errors)
                else:
                    out[name] = spec.kind.check(value[name], f"{prefix}{name}", ctx)
            except FieldError as e:
                errors.append(e)
        if not errors:
            for rule in self.rules:
                try:
                    rule(out, prefix)
                except FieldError as e:
                    errors.append(e)
        return out

    def schema(self) -> dict[str, Any]:
        return {"$ref": COMPONENTS + self.name} if self.name else self.definition()

    def definition(self) -> dict[str, Any]:
        """The object's JSON schema written out (what its component holds, for a named record)."""
        out: dict[str, Any] = {
            "type": "object",
            "properties": {
                name: spec.kind.schema() if spec.required else nullable(spec.kind.schema())
                for name, spec in self.fields.items()
            },
            "additionalProperties": False,
        }
        required = [name for name, spec in self.fields.items() if spec.required]
        if required:
            out["required"] = required
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class AnyObject(Kind):
    """An object whose fields another check looks at (a development's ``data``)."""

    description: str = ""

    def check(self, value: Any, path: str, ctx: Context) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldError(path, f"expected an object, got {_type_name(value)}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "description": self.description}
