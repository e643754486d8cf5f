"""Errors on HTML routes become pages in the reader's language, never JSON.

A page that needs a sign-in sends the reader to the sign-in form and back; htmx gets a
small fragment it can swap in (htmx is set up to swap error answers too).

Errors no route handled (an address nothing matches, a method an address does not
take) are decided in one place, ``wants_html``: the page for browsers, the API's JSON
for everything under /api/ and for clients that do not ask for HTML.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Response
from litestar.exceptions import HTTPException
from litestar.response import Template
from litestar.types import ExceptionHandler, ExceptionHandlersMap
from litestar.utils.scope.state import ScopeState
from litestar_htmx import ClientRedirect

from ideabox.http.errors import connection_lost
from ideabox.http.pages import messages
from ideabox.http.pages.render import is_htmx, lang, page, see_other
from ideabox.http.routing import AnyRequest
from ideabox.http.security import CONTENT_SECURITY_POLICY, CSRF_COOKIE, security_headers
from ideabox.platform.errors import IdeaboxError, TooManyRequests, Unauthorized, Unavailable

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
    unavailable = connection_lost(request, exc)  # the one mapping the JSON API uses too
    if unavailable is not None:
        return handle_ideabox_error(request, unavailable)
    # Any other is a bug: log it whole, tell the reader only that it happened.
    log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(request, 500, messages.for_status(lang(request), 500))


HTML_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    IdeaboxError: handle_ideabox_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}


def wants_html(request: AnyRequest) -> bool:
    """Whether an error outside the pages' routes is answered with the HTML page: never
    for the API, and only when the client prefers HTML to JSON (browsers do)."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return False
    return request.accept.best_match(["application/json", "text/html"]) == "text/html"


def _outside_the_pages(request: AnyRequest, response: Response[Any]) -> Response[Any]:
    """What the pages' middleware would have added, for a page answered where no route
    matched (so no middleware ran): the security headers, and the CSRF token the
    browser already holds, so the language switcher on the page still works."""
    hsts = request.app.state.settings.secure_cookies
    response.headers.update({name.decode(): value.decode()
                             for name, value in security_headers(hsts=hsts)})
    response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY
    token = request.cookies.get(CSRF_COOKIE)
    if token:
        ScopeState.from_scope(request.scope).csrf_token = token
    return response


def negotiated(json_handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    """The app's own exception handlers: ``json_handlers``, except that a request that
    ``wants_html`` gets the HTML error page instead, for every kind of error one exists
    for."""

    def choose(json_handler: ExceptionHandler[Any], html_handler: ExceptionHandler[Any] | None
               ) -> ExceptionHandler[Any]:
        def handle(request: AnyRequest, exc: Exception) -> Response[Any]:
            if html_handler is not None and wants_html(request):
                return _outside_the_pages(request, html_handler(request, exc))
            return json_handler(request, exc)

        return handle

    return {kind: choose(handler, HTML_EXCEPTION_HANDLERS.get(kind))
            for kind, handler in json_handlers.items()}
