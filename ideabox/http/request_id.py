"""The request id, for everything logged while a request is answered, and one access
line per request.

The request id comes from the ``X-Request-ID`` header when a proxy set a sane one, else
it is made here; it is returned in the response header so a person reporting a problem
can quote it.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ideabox.platform.logs import request_id

access = logging.getLogger("ideabox.access")

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{6,64}$")


class RequestIdMiddleware:
    """Sets the request id for everything logged during a request; logs one access line."""

    def __init__(self, app: ASGIApp, *, log_access: bool = True) -> None:
        self.app = app
        self.log_access = log_access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        rid = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                rid = candidate if _SANE_ID.match(candidate) else None
                break
        rid = rid or secrets.token_hex(8)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()),
                                      (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.log_access:
                access.info(
                    "%s %s %s", method, path, status,
                    extra={"method": method, "path": path, "status": status,
                           "duration_ms": round((time.perf_counter() - started) * 1000, 2)},
                )
            request_id.reset(token)
