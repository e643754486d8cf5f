"""Jinja templates: the environment, the reader's language in every template, and the
helpers templates use for dates, numbers and static files."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from ideabox.platform import i18n, labels
from ideabox.platform.i18n import LANG_COOKIE

PACKAGE = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PACKAGE / "templates"
STATIC_DIR = PACKAGE / "static"


def language_of(request: Any) -> str:
    """The request's language, decided once and kept on the request."""
    lang: str | None = request.state.get("lang")
    if lang is None:
        lang = i18n.negotiate(request.cookies.get(LANG_COOKIE),
                              request.headers.get("accept-language"),
                              request.app.state.settings.default_language)
        request.state.lang = lang
    return lang


def _lang(context: Context | Mapping[str, Any]) -> str:
    return language_of(context["request"])


# Jinja's newstyle gettext puts the variables in itself, after escaping the message.
@pass_context
def _gettext(context: Context, message: str) -> str:
    return i18n.translations(_lang(context)).ugettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return i18n.translations(_lang(context)).ungettext(singular, plural, n)


@pass_context
def _date(context: Context, value: date | datetime, tz: str | None = None) -> str:
    return i18n.format_date(_lang(context), value, tz)


@pass_context
def _datetime(context: Context, value: datetime, tz: str = "Europe/Copenhagen") -> str:
    return i18n.format_datetime(_lang(context), value, tz)


@pass_context
def _month(context: Context, value: date | str) -> str:
    if isinstance(value, str):  # "2026-11", as the API writes months
        value = date(int(value[:4]), int(value[5:7]), 1)
    return i18n.format_month(_lang(context), value)


@pass_context
def _number(context: Context, value: int | float) -> str:
    return i18n.format_number(_lang(context), value)


@pass_context
def _current_lang(context: Context) -> str:
    return _lang(context)


def _label(table: Mapping[str, str]) -> Any:
    @pass_context
    def label(context: Context, code: str) -> str:
        return i18n.translations(_lang(context)).ugettext(table.get(code, code))

    return label


def _opening(html: str, paragraphs: int = 2) -> str:
    """The paragraphs rendered Markdown opens with, at most ``paragraphs`` of them and up
    to the first list or heading (all of it if it opens with neither): the front page
    introduces each purpose, its own page says it all."""
    end = 0
    for _ in range(paragraphs):
        close = html.find("</p>", end)
        if not html.startswith("<p>", end) or close < 0:
            break
        end = close + len("</p>")
        while html.startswith("\n", end):
            end += 1
    return html[:end] if end else html


@functools.cache
def _static_version() -> str:
    return _fingerprint(STATIC_DIR)


def static_url(name: str) -> str:
    """The URL of one of ``ideabox/static``'s files, with the digest of them all."""
    return f"/static/{name}?v={_static_version()}"


def _fingerprint(directory: Path) -> str:
    """A digest of every static file, so their URLs change whenever one does and browsers
    may keep them for a year."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    # newstyle: the message is escaped before variables are put in, and a missing
    # variable is an error rather than a half-translated sentence.
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(date=_date, datetime=_datetime, month=_month, number=_number,
                       opening=_opening)
    env.globals.update(
        current_lang=_current_lang, status_label=_label(labels.STATUS),
        role_label=_label(labels.ROLE), audience_label=_label(labels.AUDIENCE),
        sort_label=_label(labels.SORT), audit_label=_label(labels.AUDIT_ACTION),
        eligibility_label=_label(labels.ELIGIBILITY),
        webhook_event_label=_label(labels.WEBHOOK_EVENT),
        delivery_status_label=_label(labels.DELIVERY_STATUS),
        report_reason_label=_label(labels.REPORT_REASON), report_reasons=labels.REPORT_REASON,
        case_kind_label=_label(labels.CASE_KIND), decision_label=_label(labels.DECISION),
    )
    env.globals["static"] = static_url
    env.globals["unlisted"] = labels.UNLISTED
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment()))
