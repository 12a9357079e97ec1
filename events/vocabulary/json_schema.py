"""The vocabulary as JSON Schema components, for the OpenAPI document.

A submitted development is one of the event types: ``Submission`` is a
``oneOf`` of a named component per type (``StatementIssuedSubmission``...) with
a discriminator on ``type`` that maps each type to its component, and each
type's ``data`` is its own component (``StatementIssuedData``).  Records used in
several places (``Person``, ``Source``, ``Origin``, ``DeathEstimate``) are components
too.  Client generators then make one model per component instead of a copy
per place, whose names collide (openapi-python-client refused the inline
variants as duplicate models).
"""

from __future__ import annotations

from typing import Any

from events.vocabulary.event_types import TYPES, envelope_fields
from events.vocabulary.kinds import Kind, ListOf
from events.vocabulary.records import COMPONENTS, AnyObject, Record, Spec

#: the component of a whole development without id, which a correction carries
REPLACEMENT = "Replacement"


def submission_components() -> dict[str, dict[str, Any]]:
    """Every component a submitted development's schema refers to, ``Submission`` first."""
    variants: dict[str, Record] = {}
    for name, record in TYPES.items():
        fields = envelope_fields(record)
        fields["type"] = Spec(_Const(name, description="the event type"))
        if name == "DevelopmentCorrected":
            fields["data"] = Spec(_correction_data(record))
        variants[name] = Record(fields, description=f"a {name}", name=f"{name}Submission")
    components: dict[str, dict[str, Any]] = {
        "Submission": {
            "oneOf": [variant.schema() for variant in variants.values()],
            "discriminator": {
                "propertyName": "type",
                "mapping": {name: COMPONENTS + variant.name for name, variant in variants.items()},
            },
            "description": "a development: its type decides the fields of its data",
        }
    }
    for variant in variants.values():
        _collect(variant, components)
    return components


def _correction_data(record: Record) -> Record:
    """A correction's data: the target, and the whole corrected development without id (``Replacement``)."""
    replacement_fields = envelope_fields(AnyObject(description="the data of the replacement's type"))
    del replacement_fields["id"]
    replacement = Record(
        replacement_fields, description="the whole corrected development, without id", name=REPLACEMENT
    )
    return Record(
        {"target": record.fields["target"], "replacement": Spec(replacement)},
        description=record.description,
        name=record.name,
    )


def _collect(kind: Kind, components: dict[str, dict[str, Any]]) -> None:
    """Add the named records ``kind`` holds (itself included) to ``components``."""
    if isinstance(kind, ListOf):
        _collect(kind.item, components)
    elif isinstance(kind, Record):
        if kind.name and kind.name not in components:
            components[kind.name] = kind.definition()
        for spec in kind.fields.values():
            _collect(spec.kind, components)


class _Const(Kind):
    """A string that must be this one value (a variant's ``type``)."""

    def __init__(self, value: str, description: str = "") -> None:
        self.value = value
        self.description = description

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": [self.value], "description": self.description}
