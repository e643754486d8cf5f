"""What page routes answer: a rendered page, a redirect after a post, a fragment for htmx."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from ideabox.http.pages.templating import language_of
from ideabox.http.routing import AnyRequest


def page(template: str, *, status: int = 200, **context: Any) -> Template:
    """A whole page, or a fragment of one for htmx, rendered from ``template``."""
    return Template(template_name=template, context=context, status_code=status)


def see_other(url: str, *, cookies: list[Cookie] | None = None) -> Redirect:
    """The answer to a successful form post: 303, so a reload does not post again."""
    return Redirect(url, status_code=HTTP_303_SEE_OTHER, cookies=cookies or [])


def local_path(url: str | None, fallback: str = "/") -> str:
    """``url`` if it points into this site, else ``fallback``: a redirect target taken from
    a form or a Referer must never send a reader to another site."""
    if not url:
        return fallback
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or url.startswith("//"):
        return fallback
    if "\\" in url:
        return fallback
    return url


def is_htmx(request: AnyRequest) -> bool:
    """Whether htmx made the request (and wants a fragment, not a page)."""
    return request.headers.get("hx-request") == "true"


def lang(request: AnyRequest) -> str:
    return language_of(request)


async def form_of(request: AnyRequest) -> dict[str, str]:
    """The posted form's fields (the last value of each)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}
