"""Checks msgspec cannot express: they run after trimming, and name the field at fault."""

from __future__ import annotations

import re

from ideabox.platform.errors import Invalid

# Control characters (C0, DEL, C1) have no place in what people write. A title or a name
# is one line, so the Unicode line and paragraph separators are refused there too: a
# mail header breaks at them as at a newline, and a title is the subject of e-mails.
_NOT_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A text (Markdown) keeps its line ends and tabs; nothing else of the kind.
_NOT_IN_A_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A browser sends a textarea's line ends as CRLF; old files may have a lone CR.
_LINE_END = re.compile(r"\r\n?")
# The same rules as patterns, for the OpenAPI description: the characters a line or a
# text may hold (a text's CR is its line end). The checks here make the answers.
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# Deliberately loose: one @, something on each side, a dot in the domain. The only real
# check of an address is a mail reaching it; this one catches typing slips.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ONE_LINE = {"extra": {"pattern": LINE_PATTERN}}
LINES = {"extra": {"pattern": TEXT_PATTERN}}


def trimmed(value: str, field: str, minimum: int, maximum: int, *,
            multiline: bool = False) -> str:
    """``value`` without surrounding white space, between ``minimum`` and ``maximum`` long,
    and free of control characters: one line, or with ``multiline`` (bodies, statements,
    responses, reasons) lines and tabs, its line ends made ``\\n``."""
    text = value.strip()
    if multiline:
        text = _LINE_END.sub("\n", text)
    if len(text) < minimum:
        raise Invalid(field, "too_short", n=minimum)
    if len(text) > maximum:
        raise Invalid(field, "too_long", n=maximum)
    if (_NOT_IN_A_TEXT if multiline else _NOT_IN_A_LINE).search(text):
        raise Invalid(field, "control_characters")
    return text
