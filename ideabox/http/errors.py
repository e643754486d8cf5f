"""Every error becomes ``{"status_code", "detail", "extra"}`` here, and only here."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.types import ExceptionHandlersMap

from ideabox.http.lost_connections import note_connection_lost
from ideabox.platform.db import is_connection_loss
from ideabox.platform.errors import IdeaboxError, TooManyRequests, Unavailable

log = logging.getLogger("ideabox.errors")


class ErrorBody(msgspec.Struct):
    """What every error answers, as ``error_body`` makes it; for the OpenAPI description.
    ``extra`` names the fields at fault (a list), or says more (``{"retry_after": 30}``);
    it is left out when there is nothing to add."""

    status_code: int
    detail: str
    extra: list[dict[str, Any]] | dict[str, Any] | None = None


def error_body(status_code: int, detail: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if extra is not None:
        body["extra"] = extra
    return body


def _response(status_code: int, detail: str, extra: Any = None,
              headers: dict[str, str] | None = None) -> Response[dict[str, Any]]:
    return Response(error_body(status_code, detail, extra), status_code=status_code,
                    media_type=MediaType.JSON, headers=headers)


def handle_ideabox_error(_: Request[Any, Any, Any], exc: IdeaboxError) -> Response[Any]:
    headers = None
    if isinstance(exc, TooManyRequests | Unavailable):
        headers = {"Retry-After": str(exc.retry_after)}
    return _response(exc.status_code, exc.detail, exc.extra, headers)


# msgspec names a missing or unknown field only in its message, and Litestar then reports
# the whole body ("data") as the key; name the field itself, as for every other error.
_FIELD_IN_MESSAGE = re.compile(r"(?:missing required|contains unknown) field `([^`]+)`")


def _name_fields(extra: Any) -> Any:
    if not isinstance(extra, list):
        return extra
    named = []
    for item in extra:
        if isinstance(item, dict) and item.get("key") == "data":
            match = _FIELD_IN_MESSAGE.search(str(item.get("message", "")))
            if match:
                item = {**item, "key": match.group(1)}
        named.append(item)
    return named


# Litestar reports a missing query, header or cookie parameter only in its detail.
_MISSING_PARAMETER = re.compile(r"^Missing required (query|header|cookie|path) parameter '([^']+)'")


def _extra(exc: HTTPException) -> Any:
    if not exc.extra:
        missing = _MISSING_PARAMETER.match(exc.detail or "")
        if missing and exc.status_code == 400:
            return [{"key": missing.group(2), "message": "is required",
                     "source": missing.group(1)}]
        return None
    return _name_fields(exc.extra)


def handle_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        log.error("http %s: %s", exc.status_code, exc.detail)
    return _response(exc.status_code, exc.detail, _extra(exc), exc.headers)


def handle_unstorable_text(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Every text field is checked for NUL on the way in; this net catches any we missed,
    # so the person still gets a 400 rather than a 500.
    log.warning("text PostgreSQL cannot store reached the database: %s", exc)
    return _response(400, "The text contains characters that cannot be stored (NUL)")


def connection_lost(request: Request[Any, Any, Any], exc: Exception) -> Unavailable | None:
    """The 503 to answer for an error that says PostgreSQL went out of reach, or took
    longer than ``IDEABOX_STATEMENT_TIMEOUT`` to answer, wherever it was raised (a
    dependency, a route, an after-commit hook, the start of a stream); None for any
    other error. JSON and the HTML pages both ask here."""
    if isinstance(exc, asyncpg.exceptions.QueryCanceledError):
        # Not a reason to run the request again at once, as after a lost connection.
        log.warning("statement timed out in %s %s: %s", request.method, request.url.path,
                    exc)
        return Unavailable("too_slow")
    if not is_connection_loss(exc):
        return None
    log.warning("database connection lost in %s %s: %r", request.method, request.url.path,
                exc)
    note_connection_lost(request.scope)
    return Unavailable("unavailable")


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # The asyncpg and socket errors of a lost connection have no class of their own
    # to be told by; they arrive here as they are.
    unavailable = connection_lost(request, exc)
    if unavailable is not None:
        return handle_ideabox_error(request, unavailable)
    # Any other is a bug: log it whole, tell the client only that it happened.
    log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return _response(500, "Internal Server Error")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    IdeaboxError: handle_ideabox_error,
    asyncpg.exceptions.CharacterNotInRepertoireError: handle_unstorable_text,
    asyncpg.exceptions.UntranslatableCharacterError: handle_unstorable_text,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
