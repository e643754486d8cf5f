"""The JSON API takes JSON only, checked once for every route under /api/v1.

A page on any other site may make a visitor's browser send a POST without asking first
(a CORS "simple" request) only if its body is ``text/plain``, a urlencoded form or
multipart. Litestar reads a body as JSON whatever it is declared to be, so such a
request reached every API route: it could sign visitors up, or try passwords from
their addresses. Every unsafe request that carries a body must say it is JSON. The
pages' form posts are not under /api/v1, and carry their CSRF token.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from ideabox.platform.db import SAFE_METHODS
from ideabox.platform.errors import UnsupportedMediaType

MULTIPART_BODY = "multipart_body"
"""The route option of an API route that takes a file (a picture): it reads
``multipart/form-data``, and only that besides JSON. It still needs a bearer token, or
the session cookie with its CSRF token, like every write."""


def is_json(content_type: str | None) -> bool:
    """Whether a Content-Type names JSON: ``application/json`` or ``application/*+json``,
    with any parameters."""
    media_type = _media_type(content_type)
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json"))


def _media_type(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


async def json_bodies_only(connection: ASGIConnection[Any, Any, Any, Any],
                           _: BaseRouteHandler) -> None:
    """Litestar guard: 415 for an unsafe request with a body that is not declared JSON.

    A guard, not a ``before_request`` hook: every layer's guards run, so no route can
    drop this one by having a hook of its own. Whether there is a body is read from the
    body itself (Litestar keeps it for the route), since an HTTP/2 request may carry one
    without a Content-Length."""
    if not isinstance(connection, Request) or connection.method in SAFE_METHODS:
        return
    content_type = connection.headers.get("content-type")
    if is_json(content_type) or not await connection.body():
        return
    if connection.route_handler.opt.get(MULTIPART_BODY) and _media_type(content_type) == (
            "multipart/form-data"):
        return
    raise UnsupportedMediaType("not_json", field="Content-Type", source="header")
