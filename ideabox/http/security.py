"""Browser safety: CSRF for cookie-authenticated requests, security headers, client address."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ideabox.accounts.tokens import SESSION_COOKIE
from ideabox.platform.settings import Settings

CSRF_COOKIE = "ideabox_csrf"
CSRF_HEADER = "x-csrftoken"
CSRF_FIELD = "_csrf_token"  # Litestar's form field name for the token


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key or "",
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.secure_cookies,
        cookie_httponly=False,  # htmx reads it to send the header
        cookie_samesite="lax",
        # Litestar searches these patterns anywhere in the path: anchored, they exempt
        # these addresses only, never a page whose address merely contains one of them
        # (a purpose whose slug begins with "schema"). They only answer GET anyway.
        exclude=[r"^/schema(?:/|$)", r"^/healthz$", r"^/readyz$"],
    )


class CSRFUnlessBearerMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, for the requests a forger could exploit.

    CSRF abuses credentials the browser sends by itself: the session cookie. A request
    with a bearer token is not forgeable (a cross-site form cannot set an Authorization
    header, and authentication ignores cookies when that header is present), and a
    request without a session cookie carries no credentials to abuse; both skip the
    check, so an API client without credentials gets an honest 401, not a CSRF 403.
    Routes that *start* a session (sign-in) opt in with ``opt={CSRF_ALWAYS: True}``,
    against login CSRF (being signed in to someone else's account).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and not _needs_csrf(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


CSRF_ALWAYS = "csrf_always"
# The route option of a route that authenticates by what is in its body (a password, a
# confirmation token), never by a cookie: a forged cross-site request gains nothing,
# and API clients have no CSRF cookie to send.
NO_CSRF = {"exclude_from_csrf": True}
_SESSION_COOKIE_PREFIX = SESSION_COOKIE.encode() + b"="


def _needs_csrf(scope: Scope) -> bool:
    session_cookie = False
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return False
        if name == b"cookie" and _SESSION_COOKIE_PREFIX in value:
            session_cookie = True
    if session_cookie:
        return True
    handler = scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(CSRF_ALWAYS))


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def security_headers(*, hsts: bool) -> list[tuple[bytes, bytes]]:
    """The headers every response carries, but the CSP (see the middleware)."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if hsts:
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


class SecurityHeadersMiddleware:
    """The usual security headers and a strict CSP on every response, the API
    documentation included (ideabox serves its viewer itself: ``api_docs.py``)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*security_headers(hsts=hsts),
                        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Networks:
    """Addresses and CIDR ranges from a setting: ``address in networks`` for a client's
    address (never true for something that is not an IP address)."""

    def __init__(self, entries: Iterable[str]) -> None:
        self._networks = [ipaddress.ip_network(e, strict=False) for e in entries]

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str):
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self._networks)


class ClientAddress:
    """The client's address, believing X-Forwarded-For only from trusted proxies."""

    def __init__(self, trusted: tuple[str, ...]) -> None:
        self.trusted = Networks(trusted)

    def __call__(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        peer = connection.client.host if connection.client else "unknown"
        if peer not in self.trusted:
            return peer
        forwarded = connection.headers.get("x-forwarded-for")
        if not forwarded:
            return peer
        # Walk from the nearest hop outwards; the first untrusted address is the client.
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in self.trusted:
                return hop
        return hops[0] if hops else peer
