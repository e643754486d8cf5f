"""Languages: Danish by default, English on request; messages from gettext catalogs,
for the pages and the e-mails alike.

A reader's language is, in order: the ``lang`` cookie set by the language switcher,
the first of Danish or English in the browser's Accept-Language, the configured
default; a person's e-mails are in the language they chose, else Danish. Message ids
are the English text; both catalogs translate every one of them
(a test checks), so a missing translation is caught before it reaches a reader.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates, numbers
from babel.support import Translations

LANGUAGES = ("da", "en")
LANG_COOKIE = "lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"


def N_(message: str) -> str:
    """Mark a message for the catalog (the extractor looks for this name); it is
    translated where it is shown."""
    return message


@functools.cache
def translations(lang: str) -> Translations:
    """The compiled catalog of ``lang`` (loaded once per process)."""
    found = Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")
    if not isinstance(found, Translations):
        raise RuntimeError(f"no compiled message catalog for {lang!r} in {TRANSLATIONS_DIR}")
    return found


def negotiate(cookie: str | None, accept_language: str | None, default: str) -> str:
    """The language to answer in, from the switcher's cookie and the browser's wishes."""
    if cookie in LANGUAGES:
        return cookie
    wishes: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            wishes.append((-quality, position, primary))
    return min(wishes)[2] if wishes else default


def gettext(lang: str, message: str, **variables: Any) -> str:
    text = translations(lang).ugettext(message)
    return text % variables if variables else text


def format_date(lang: str, value: date | datetime, tz: str | None = None) -> str:
    """"26. november 2026" / "November 26, 2026", in ``tz`` when given a moment."""
    if isinstance(value, datetime) and tz:
        value = value.astimezone(ZoneInfo(tz))
    day = value.date() if isinstance(value, datetime) else value
    return dates.format_date(day, format="long", locale=lang)


def format_datetime(lang: str, value: datetime, tz: str) -> str:
    """The date and the time of day, as a reader in ``tz`` would read their clock."""
    local = value.astimezone(ZoneInfo(tz))
    return gettext(lang, N_("%(date)s at %(time)s"), date=format_date(lang, local),
                   time=dates.format_time(local, format="short", locale=lang))


def format_month(lang: str, value: date) -> str:
    """"november 2026" / "November 2026"."""
    return dates.format_date(value, format="LLLL y", locale=lang)


def format_number(lang: str, value: int | float) -> str:
    """"1.234" in Danish, "1,234" in English."""
    return numbers.format_decimal(value, locale=lang)
