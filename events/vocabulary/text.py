"""What free text in a development may hold: anything a source says, but no control characters.

Tabs and line breaks are text; the other C0 and C1 control characters (NUL,
escape, backspace, NEL...) are not: nothing a source says needs them, and they
cut strings short in C tools, break terminals and CSV exports.
"""

from __future__ import annotations

import re

from events.vocabulary.errors import FieldError

#: control characters (Unicode Cc) other than tab, line feed and carriage return: NUL, escape, backspace, C1...
#: Nothing a source says needs them; they cut strings short in C tools, break terminals and CSV exports.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: the same rule as a JSON Schema pattern (ECMA-262), for the OpenAPI document
NO_CONTROL_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def refuse_control(value: str, path: str) -> None:
    """Raise ``FieldError`` naming the first control character in ``value`` (tabs and line breaks are text)."""
    found = CONTROL.search(value)
    if found is not None:
        raise FieldError(
            path,
            f"holds the control character U+{ord(found.group()):04X} at character {found.start() + 1}; "
            "text may hold tabs and line breaks but no other control characters",
        )
