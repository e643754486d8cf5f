"""The overview's figures as charts: inline SVG drawn on the server, no script.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>`` (the range, the highest month, and that the table beside it has every
value); the page puts a real table of the same numbers under it. The colours are
Okabe and Ito's colour-blind-safe blue and orange, and a second series is also hatched,
so colour is never the only way to tell the series apart; every bar has a dark outline
(at least 3:1 against the background), and the text is near-black. Everything is drawn
with presentation attributes: the CSP allows no inline style.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from babel import dates
from markupsafe import Markup, escape

from ideabox.overview.schemas import MonthFigures
from ideabox.platform.i18n import N_, format_month, format_number, gettext

BLUE, ORANGE, INK, GRID = "#0072B2", "#E69F00", "#1a1a1a", "#767676"
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 30, 34


@dataclass(frozen=True)
class Series:
    field: str
    label: str  # message id


@dataclass(frozen=True)
class Figure:
    name: str
    title: str  # message id
    series: tuple[Series, ...]
    # Two series: stacked (parts of one whole) or side by side.
    stacked: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("ideas", N_("Ideas posted"), (Series("ideas", N_("Ideas")),)),
    Figure("votes", N_("Votes cast"), (Series("votes", N_("Votes")),)),
    Figure("comments", N_("Comments written"), (Series("comments", N_("Comments")),)),
    Figure("participants", N_("Participants: residents and staff"),
           (Series("residents", N_("Residents")), Series("staff", N_("Staff"))), stacked=True),
    Figure("verified", N_("Participants: verified and not verified"),
           (Series("verified", N_("Verified")), Series("unverified", N_("Not verified"))),
           stacked=True),
    Figure("promotions", N_("Ideas sent to the administration, and answers"),
           (Series("promotions", N_("Sent to the administration")),
            Series("answers", N_("Answered")))),
    Figure("answer_days", N_("Median days to an answer"),
           (Series("median_days_to_answer", N_("Median days")),)),
    Figure("overdue", N_("Overdue answers at the month's end"),
           (Series("overdue", N_("Overdue")),)),
)
BY_NAME = {figure.name: figure for figure in FIGURES}


def value(month: MonthFigures, field: str) -> int | float | None:
    found: int | float | None = getattr(month, field)
    return found


def _step(top: float, whole: bool) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about four grid lines."""
    raw = top / 4 if top > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    step: float = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(step, 1.0) if whole else step


def _month_of(label: str) -> date:
    return date(int(label[:4]), int(label[5:7]), 1)


def _short_month(lang: str, label: str) -> str:
    month = _month_of(label)
    name = dates.format_date(month, format="MMM", locale=lang).rstrip(".")
    return f"{name} {month.year % 100:02d}" if month.month == 1 else name


def describe(figure: Figure, months: Sequence[MonthFigures], lang: str) -> str:
    """The chart in words: its range, its highest month, and where every value is."""
    if not months:
        return gettext(lang, N_("No months counted yet."))
    totals = [(sum(value(m, s.field) or 0 for s in figure.series), m) for m in months]
    top, at = max(totals, key=lambda pair: pair[0])
    kind = gettext(lang, N_("Stacked bars") if figure.stacked else
                   N_("Bars side by side") if len(figure.series) > 1 else N_("Bars"))
    return gettext(lang, N_("%(kind)s per month from %(first)s to %(last)s. Highest: "
                            "%(top)s in %(month)s. The table below the chart gives every "
                            "value."),
                   kind=kind, first=format_month(lang, _month_of(months[0].month)),
                   last=format_month(lang, _month_of(months[-1].month)),
                   top=format_number(lang, top), month=format_month(lang, _month_of(at.month)))


def render_chart(figure: Figure, months: Sequence[MonthFigures], lang: str) -> Markup:
    """The figure's chart as inline SVG."""
    ident = f"chart-{figure.name}"
    whole = figure.name != "answer_days"
    stacked = figure.stacked
    highest = max((sum(value(m, s.field) or 0 for s in figure.series) if stacked else
                   max(value(m, s.field) or 0 for s in figure.series) for m in months),
                  default=0)
    step = _step(highest, whole)
    top = step * max(1, math.ceil(highest / step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h

    def y(amount: float) -> float:
        return base - amount / top * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{ident}-title {ident}-desc" '
        f'focusable="false">',
        f'<title id="{ident}-title">{escape(gettext(lang, figure.title))}</title>',
        f'<desc id="{ident}-desc">{escape(describe(figure, months, lang))}</desc>',
        f'<defs><pattern id="{ident}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{ORANGE}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="1.5"/></pattern></defs>',
    ]
    ticks = round(top / step)
    for n in range(ticks + 1):
        tick = step * n
        dashes = ' stroke-dasharray="2 3"' if n else ""
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" stroke="{GRID}" stroke-width="{1 if n else 1.5}"'
                     f'{dashes}/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="{INK}">{escape(format_number(lang, tick))}</text>')
    fills = (BLUE, f"url(#{ident}-hatch)")
    band = plot_w / max(len(months), 1)
    every = max(1, math.ceil(len(months) / 12))
    for index, month in enumerate(months):
        left = LEFT + band * index
        amounts = [value(month, s.field) for s in figure.series]
        if stacked or len(amounts) == 1:
            width, start = band * 0.6, left + band * 0.2
            floor: float = 0
            for amount, fill in zip(amounts, fills, strict=False):
                if amount:
                    parts.append(_bar(start, y(floor + amount), width,
                                      y(floor) - y(floor + amount), fill))
                    floor = floor + amount
            if len(months) <= 24 and (amounts[0] is not None):
                parts.append(f'<text x="{start + width / 2:.1f}" y="{y(floor) - 4:.1f}" '
                             f'text-anchor="middle" font-size="10" fill="{INK}">'
                             f'{escape(format_number(lang, floor))}</text>')
        else:
            width = band * 0.35
            for k, (amount, fill) in enumerate(zip(amounts, fills, strict=False)):
                if amount:
                    parts.append(_bar(left + band * 0.15 + width * k, y(amount), width,
                                      base - y(amount), fill))
        if index % every == 0:
            parts.append(f'<text x="{left + band / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                         f'font-size="11" fill="{INK}">'
                         f'{escape(_short_month(lang, month.month))}</text>')
    if len(figure.series) > 1:
        x = LEFT
        for series, fill in zip(figure.series, fills, strict=False):
            label = gettext(lang, series.label)
            parts.append(_bar(x, 8, 14, 14, fill))
            parts.append(f'<text x="{x + 20}" y="19" font-size="12" fill="{INK}">'
                         f'{escape(label)}</text>')
            x += 40 + 7 * len(label)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _bar(x: float, top: float, width: float, height: float, fill: str) -> str:
    return (f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="1"/>')
