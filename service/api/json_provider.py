"""JSON answers written by orjson: several times faster than the standard encoder, same values.

Flask's provider is kept for what orjson would write differently (dates as
HTTP dates, ``Decimal``, objects with ``__html__``): those reach Flask's own
``default``.  Keys keep their order, as ``app.json.sort_keys = False`` asks.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider, encoding and decoding with orjson."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Encode ``obj``; anything orjson refuses (huge integers, say) goes to Flask's encoder."""
        compact = kwargs.get("separators", (",", ":")) == (",", ":") and set(kwargs) <= {"separators"}
        if self.sort_keys or not compact:
            return super().dumps(obj, **kwargs)  # indented (debug), sorted, or other options
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
        except TypeError:
            return super().dumps(obj)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Decode JSON text; what orjson refuses goes to the standard parser, for its exact message."""
        if kwargs:
            return super().loads(s, **kwargs)
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            return super().loads(s)
