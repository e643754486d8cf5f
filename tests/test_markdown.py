"""Markdown has a budget: what would render too large is refused before it is built,
texts of the longest length people may write fit it, and rendering leaves the event
loop free."""

from __future__ import annotations

import asyncio

import pytest

from ideabox.platform import markdown
from ideabox.platform.errors import Invalid


def exploding_table(length: int, columns: int = 100) -> str:
    """A header of ``columns`` columns and rows of one letter: every row gets a cell for
    every column, so a few kilobytes become hundreds of kilobytes of HTML."""
    head = "|" + "a|" * columns + "\n|" + "-|" * columns + "\n"
    rows = (length - len(head)) // 2
    return head + "a\n" * rows


LONGEST = 10_000  # an idea's body and a response


def _fill(unit: str, length: int = LONGEST) -> str:
    return (unit * (length // len(unit) + 1))[:length]


# Dense texts of the longest length, written as people write (if at length).
WRITTEN = {
    "prose": _fill("Vi kunne *godt* bruge **flere** bænke ved `havnen`, især om sommeren. "),
    "links": _fill("- [kk.dk](https://www.kk.dk/borger/byliv) og <https://havnen.dk>\n"),
    "short links": _fill("[1](https://a.dk) "),
    "table": "| Sted | Antal | Pris | Hvornår | Hvem |\n|---|--:|--:|:-:|---|\n"
             + _fill("| Havnen | 12 | 3.400 kr | maj | Park |\n", LONGEST - 64),
    "narrow table": "|a|b|\n|-|-|\n" + _fill("|1|2|\n", LONGEST - 12),
    "list": _fill("1. Første punkt\n   - underpunkt\n     - og et til\n"),
    "quotes": _fill("> Citat\n> > svar på citatet\n\nMit svar.\n\n"),
    "headings": _fill("## Overskrift\n\nEt afsnit.\n\n---\n\n"),
    "code": "```\n" + _fill("kode = 1\n", LONGEST - 8) + "```",
    "emphasis": _fill("*a* "),
    "escapes": _fill("<>&\"' "),
}


@pytest.mark.parametrize("name", list(WRITTEN))
def test_the_longest_texts_people_write_fit_the_budget(name):
    html = markdown.render(WRITTEN[name])
    assert len(html) < markdown.MAX_HTML / 2, len(html)  # with room to spare


@pytest.fixture
def tables_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The start line of every table markdown-it goes on to build (its table rule
    called for real, not just asked whether a table starts there)."""
    built: list[int] = []
    real = markdown.gfm_table

    def counting(state, start, end, silent):  # type: ignore[no-untyped-def]
        if not silent:
            built.append(start)
        return real(state, start, end, silent)

    monkeypatch.setattr(markdown, "gfm_table", counting)
    return built


def test_the_five_kilobyte_table_is_refused_before_it_is_built(tables_built):
    # Building it took over a second; refusing it is counting its lines.
    with pytest.raises(markdown.TooLarge):
        markdown.render(exploding_table(5_000))
    assert tables_built == []


def test_many_tables_just_within_the_limit_share_one_budget(tables_built):
    table = exploding_table(300, columns=50)  # 50 columns, 48 rows: 2,450 cells
    assert "<table>" in markdown.render(table)
    assert len(tables_built) == 1
    tables_built.clear()
    with pytest.raises(markdown.TooLarge):
        markdown.render("\n".join([table] * 20))
    # The budget runs out part-way: the tables after it are never built.
    assert len(tables_built) == markdown.MAX_TABLE_CELLS // 2_450 < 20


def test_a_table_with_every_cell_written_is_shown():
    html = markdown.render("|a|b|\n|-|-|\n|1|2|\n")
    assert "<td>1</td>" in html and "<th>b</th>" in html


def test_html_beyond_the_budget_is_refused():
    # Longer than any field allows, which only the budget stands in the way of.
    with pytest.raises(markdown.TooLarge):
        markdown.render(_fill("[a](b) ", 40_000))


def _list(depth: int) -> str:
    return "".join("  " * level + f"- punkt {level}\n" for level in range(depth))


def test_nesting_beyond_the_limit_is_refused_not_dropped():
    assert markdown.render(_list(8)).count("punkt") == 8
    assert "hej" in markdown.render("> " * 12 + "hej")
    # markdown-it would silently leave out what is nested too deep; say so instead.
    with pytest.raises(markdown.TooLarge):
        markdown.render(_list(12))
    with pytest.raises(markdown.TooLarge):
        markdown.render("> " * 25 + "hej")


async def test_too_large_names_the_field():
    with pytest.raises(Invalid) as refused:
        await markdown.to_html(exploding_table(1_000), "reason")
    assert refused.value.field == "reason"
    assert await markdown.to_html("*hej*", "body") == "<p><em>hej</em></p>\n"


async def test_rendering_leaves_the_event_loop_free():
    # Slow to parse (each line is re-read at every level of quoting) but within budget.
    slow = "> " * 6 + "a\n" + ">a\n" * 12_000
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    await markdown.to_html(slow, "body")
    ticker.cancel()
    # Rendered on the loop, not one other task could have run meanwhile.
    assert ticks > before + 10, ticks - before
