"""User text (ideas, comments, statements, responses) as safe HTML.

Markdown is rendered with raw HTML turned off, then the result is sanitised by nh3 with
an allow-list: no scripts, no styles, no images (tracking pixels, missing alt texts),
and only http, https and mailto links. Headings are moved down two levels so a post
can never outrank the page's own h1 and h2 (screen readers navigate by them).

Rendering has a budget. A few kilobytes can be made to cost a second of CPU and
hundreds of kilobytes of HTML (a table whose header has a hundred columns gives every
one-letter row a hundred cells), so HTML beyond MAX_HTML is refused, and the known
ways to grow are bounded before the work is done: tables beyond MAX_TABLE_CELLS are
refused, and so are quotes and lists nested MAX_NESTING levels deep. Services render
with ``to_html``, in a thread, so even the slowest text within budget never holds up
the event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any, NamedTuple

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as gfm_table
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ideabox.platform.errors import Invalid

# Sanitised HTML, in characters. The densest texts people write (short links, tables
# with every cell written, 10,000 characters long) come to under a tenth of this.
MAX_HTML = 200_000
# Cells of all tables of a text, counting those short rows are filled up with. Written
# out, a cell takes at least two characters, so no 10,000-character text needs more.
MAX_TABLE_CELLS = 5_000
# Levels of blocks inside blocks (a quote is one, a list item two): lists nest eight
# deep, quotes about twice that. markdown-it (whose limit this is) would leave out what
# lies deeper without a word, after re-reading it at every level; it is refused.
MAX_NESTING = 20

TOO_LARGE = "markdown_too_large"  # codes of ideabox.platform.messages
TOO_DEEP = "markdown_too_deep"

_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


class TooLarge(ValueError):
    """The text would render beyond the budget; the message says how."""


class Rendered(NamedTuple):
    """A text as written and as sanitised HTML: both are stored."""

    text: str
    html: str


def _bounded_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    # markdown-it's own limit (65,536 filled-up cells per table) still lets 5 KB become
    # 650 KB. Its table rule checks the header and delimiter lines first, which is
    # cheap; a real table is then measured, by its lines (at most: a table ends at a
    # blank line), before a single cell is made, and counted against the text's budget.
    if silent or not gfm_table(state, start, end, True):
        return gfm_table(state, start, end, silent)
    delimiter = state.src[state.bMarks[start + 1] + state.tShift[start + 1]:
                          state.eMarks[start + 1]]
    columns = len(delimiter.strip().strip("|").split("|"))
    line = start + 2
    while line < end and not state.isEmpty(line):
        line += 1
    cells = state.env.get("table_cells", 0) + columns * (line - start - 1)
    if cells > MAX_TABLE_CELLS:
        raise TooLarge(TOO_LARGE)
    state.env["table_cells"] = cells
    return gfm_table(state, start, end, silent)


def _refuse_deep_nesting(state: StateCore) -> None:
    # Blocks at the last level have had what was inside them dropped.
    if any(token.level >= MAX_NESTING - 1 for token in state.tokens):
        raise TooLarge(TOO_DEEP)


def _demote_headings(state: StateCore) -> None:
    token: Token
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 2, 6)
            token.tag = f"h{level}"


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                "maxNesting": MAX_NESTING})
_md.enable(["table", "strikethrough"])
_md.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
_md.core.ruler.after("block", "refuse_deep_nesting", _refuse_deep_nesting)
_md.core.ruler.push("demote_headings", _demote_headings)


def _image_as_text(_renderer: Any, tokens: list[Token], idx: int, _options: Any,
                   _env: Any) -> str:
    # An image becomes its alt text: the words stay, the tracking pixel does not.
    return escapeHtml(tokens[idx].content)


_md.add_render_rule("image", _image_as_text)


def render(text: str) -> str:
    """Markdown to sanitised HTML; TooLarge if it would be larger than the budget.
    CPU-bound: the services call ``to_html``, which runs it in a thread."""
    html = nh3.clean(
        _md.render(text),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
    )
    if len(html) > MAX_HTML:
        raise TooLarge(TOO_LARGE)
    return html


async def to_html(text: str, field: str) -> str:
    """``text`` rendered off the event loop; 400 naming ``field`` beyond the budget."""
    try:
        return await asyncio.to_thread(render, text)
    except TooLarge as exc:
        raise Invalid(field, str(exc)) from None  # the code TooLarge was raised with


async def rendered(text: str, field: str) -> Rendered:
    """``text`` with its HTML, as ``to_html`` makes it."""
    return Rendered(text, await to_html(text, field))
