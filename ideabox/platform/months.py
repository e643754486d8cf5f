"""Calendar months in a purpose's time zone: the unit of the monthly promotion."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ideabox.platform.errors import Invalid

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# Months ideabox can reason about. Year 0 is no date at all; near year 1 and 9999 a
# month's bounds in a time zone, or the month after it, fall outside what datetime
# holds. Nothing was promoted before 2000, so earlier months are typing slips too.
FIRST_YEAR, LAST_YEAR = 2000, 9998
# The months ``parse_month`` accepts, for the OpenAPI description: YYYY-MM of a year from
# 2000 to 9998 (of the 9xxx years, all but 9999).
MONTH_PATTERN = r"^(?:[2-8]\d{3}|9\d{2}[0-8]|9\d[0-8]9|9[0-8]99)-(?:0[1-9]|1[0-2])$"


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_timezone(name: str) -> bool:
    if name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_month(text: str, *, field: str = "month", source: str = "body") -> date:
    """``YYYY-MM`` as the first day of that month."""
    match = _MONTH.match(text)
    if not match:
        raise Invalid(field, "month_format", source=source)
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(field, "month_range", source=source, first=f"{FIRST_YEAR}-01",
                      last=f"{LAST_YEAR}-12")
    return date(year, int(match.group(2)), 1)


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_of(moment: datetime, tz: str) -> date:
    """The month ``moment`` falls in, in time zone ``tz``."""
    local = moment.astimezone(ZoneInfo(tz))
    return date(local.year, local.month, 1)


def current_month(tz: str, now: datetime) -> date:
    """The month it is at ``now`` in ``tz`` (``now`` comes from the clock)."""
    return month_of(now, tz)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def month_bounds(month: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of ``month`` in ``tz``, as aware datetimes (DST handled by zoneinfo)."""
    zone_info = ZoneInfo(tz)
    start = datetime(month.year, month.month, 1, tzinfo=zone_info)
    following = next_month(month)
    end = datetime(following.year, following.month, 1, tzinfo=zone_info)
    return start, end
