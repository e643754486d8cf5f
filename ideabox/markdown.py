"""User text (ideas, comments, statements, responses) as safe HTML.

Markdown is rendered with raw HTML turned off, then the result is sanitised by nh3 with
an allow-list: no scripts, no styles, no images (tracking pixels, missing alt texts),
and only http, https and mailto links. Headings are moved down two levels so a post
can never outrank the page's own h1 and h2 (screen readers navigate by them).
"""

from __future__ import annotations

from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def _demote_headings(state: Any) -> None:
    token: Token
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 2, 6)
            token.tag = f"h{level}"


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])
_md.core.ruler.push("demote_headings", _demote_headings)


def _image_as_text(_renderer: Any, tokens: list[Token], idx: int, _options: Any,
                   _env: Any) -> str:
    # An image becomes its alt text: the words stay, the tracking pixel does not.
    return escapeHtml(tokens[idx].content)


_md.add_render_rule("image", _image_as_text)


def render(text: str) -> str:
    """Markdown to sanitised HTML."""
    return nh3.clean(
        _md.render(text),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
    )
