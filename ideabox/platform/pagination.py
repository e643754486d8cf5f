"""One pagination style for every list: ``{"items": [...], "next_cursor": str | null}``.

Cursors are opaque to clients: base64url of a small JSON document this module made.
A cursor that was not made here is a 400 naming ``cursor``, never a 500. Anyone can
forge one, so every field a cursor carries is declared with the bounds below: a value
no list gives out is refused here, before it can overflow asyncpg's bigint or
timestamptz, or reach PostgreSQL as a negative OFFSET.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

import msgspec

from ideabox.platform.errors import Invalid

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound=msgspec.Struct)

# The fields of cursors. Ids are PostgreSQL bigints; offsets page ranked lists, which
# stop offering a next page at MAX_OFFSET; moments come from timestamptz columns, so
# they carry their offset, and stay a day inside datetime's years 1-9999, which
# asyncpg's conversion to UTC must not leave.
MAX_OFFSET = 1_000_000
RowId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
Offset = Annotated[int, msgspec.Meta(ge=0, le=MAX_OFFSET)]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


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
        position = msgspec.json.decode(raw, type=kind)
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError):
        position = None
    if position is None or not _moments_in_range(position):
        raise Invalid("cursor", "cursor_foreign", source="query")
    return position


def _moments_in_range(position: msgspec.Struct) -> bool:
    # msgspec bounds numbers, not datetimes: those are checked here, for every cursor.
    return all(_EARLIEST <= value <= _LATEST
               for name in position.__struct_fields__
               if isinstance(value := getattr(position, name), datetime))
