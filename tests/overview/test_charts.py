"""The charts themselves: named and described, colour never the only cue, no inline
style, and honest about months without a value."""

from __future__ import annotations

from datetime import UTC, datetime

from ideabox.overview.charts import BLUE, BY_NAME, describe, render_chart
from ideabox.overview.schemas import MonthFigures

COUNTED = datetime(2026, 11, 16, 9, tzinfo=UTC)


def month(label: str, **given: int | float | None) -> MonthFigures:
    fields: dict[str, object] = dict(ideas=0, votes=0, comments=0, participants=0,
                                     residents=0, staff=0, verified=0, unverified=0,
                                     promotions=0, answers=0, median_days_to_answer=None,
                                     overdue=0)
    fields.update(given)
    return MonthFigures(month=label, computed_at=COUNTED, **fields)  # type: ignore[arg-type]


def test_a_second_series_is_hatched_and_named_in_a_legend():
    svg = render_chart(BY_NAME["participants"], [month("2026-10", residents=1234, staff=5)],
                       "da")
    assert 'fill="url(#chart-participants-hatch)"' in svg and f'fill="{BLUE}"' in svg
    assert ">Borgere</text>" in svg and ">Medarbejdere</text>" in svg
    # The stack's total, written above it with a Danish thousands point.
    assert ">1.239</text>" in svg
    assert "style=" not in svg


def test_a_month_without_answers_draws_no_bar_and_the_table_says_so():
    months = [month("2026-09"), month("2026-10", answers=2, median_days_to_answer=4.5)]
    svg = render_chart(BY_NAME["answer_days"], months, "en")
    assert svg.count("<rect x=") == 1
    assert ">4.5</text>" in svg
    assert describe(BY_NAME["answer_days"], months, "en") == (
        "Bars per month from September 2026 to October 2026. Highest: 4.5 in October 2026. "
        "The table below the chart gives every value.")


def test_nothing_counted_yet_is_said():
    assert describe(BY_NAME["votes"], [], "da") == "Ingen måneder er optalt endnu."
    assert "<title id=\"chart-votes-title\">Afgivne stemmer</title>" in render_chart(
        BY_NAME["votes"], [], "da")

