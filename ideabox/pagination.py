"""One pagination style for every list: ``{"items": [...], "next_cursor": str | null}``.

Cursors are opaque to clients: base64url of a small JSON document this module made.
A cursor that was not made here is a 400 naming ``cursor``, never a 500.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import Parameter

from ideabox.errors import Invalid

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound=msgspec.Struct)

Limit = Annotated[int, Parameter(ge=1, le=100, description="Items per page (1-100)")]
Cursor = Annotated[str | None, Parameter(max_length=512,
                                          description="next_cursor from the previous page")]


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def page_of(rows: Sequence[R], limit: int, item: Callable[[R], T],
            position: Callable[[T], msgspec.Struct]) -> Page[T]:
    """A page from the ``limit + 1`` rows a keyset query fetched: the extra row only
    says that there is more, and the last item shown is where the next page starts."""
    items = [item(row) for row in rows[:limit]]
    more = len(rows) > limit and bool(items)
    return Page(items=items, next_cursor=encode_cursor(position(items[-1])) if more else None)


def encode_cursor(position: msgspec.Struct) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: type[C]) -> C | None:
    """The position a cursor stands for, or None for the first page."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=kind)
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise Invalid("cursor", "is not a cursor this list gave out", source="query") from None
