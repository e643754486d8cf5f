"""Errors on HTML routes become pages in the reader's language, never JSON.

A page that needs a sign-in sends the reader to the sign-in form and back; htmx gets a
small fragment it can swap in (htmx is set up to swap error answers too).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Response
from litestar.exceptions import HTTPException
from litestar.response import Template
from litestar.types import ExceptionHandlersMap
from litestar_htmx import ClientRedirect

from ideabox.errors import IdeaboxError, TooManyRequests, Unauthorized, Unavailable
from ideabox.web import messages
from ideabox.web.render import AnyRequest, is_htmx, lang, page, see_other

log = logging.getLogger("ideabox.errors")


def _error_page(request: AnyRequest, status: int, message: str,
                headers: dict[str, str] | None = None) -> Response[Any]:
    template = "partials/error.html" if is_htmx(request) else "error.html"
    response: Template = page(template, status=status, message=message, status_code=status,
                              viewer=None)
    if headers:
        response.headers.update(headers)
    return response


def _sign_in_first(request: AnyRequest) -> Response[Any]:
    back = request.url.path
    if request.method == "GET" and request.url.query:
        back += "?" + request.url.query
    if request.method != "GET":
        back = request.headers.get("referer") or back
        back = back if back.startswith("/") else request.url.path
    target = "/signin?next=" + quote(back, safe="/")
    if is_htmx(request):
        return ClientRedirect(target)
    return see_other(target)


def handle_ideabox_error(request: AnyRequest, exc: IdeaboxError) -> Response[Any]:
    if isinstance(exc, Unauthorized):
        return _sign_in_first(request)
    headers = None
    if isinstance(exc, TooManyRequests | Unavailable):
        headers = {"Retry-After": str(exc.retry_after)}
    return _error_page(request, exc.status_code, messages.error_message(lang(request), exc),
                       headers)


def handle_http_exception(request: AnyRequest, exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        log.error("http %s on %s: %s", exc.status_code, request.url.path, exc.detail)
    return _error_page(request, exc.status_code, messages.for_status(lang(request),
                                                                      exc.status_code))


def handle_unexpected(request: AnyRequest, exc: Exception) -> Response[Any]:
    # A 500 is always a bug: log it whole, tell the reader only that it happened.
    log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(request, 500, messages.for_status(lang(request), 500))


HTML_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    IdeaboxError: handle_ideabox_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
