"""The service's errors, mapped to HTTP in one place (``ideabox.http.errors``).

Service functions raise these; routes never build error responses themselves. Every
error has a stable ``code`` from ``ideabox.platform.messages`` and the values its text
names: the API answers the English text as ``detail`` and the code in ``extra``
(``{"code": …}``, or on each item when ``extra`` lists the fields at fault); pages and
e-mails translate the code's text into the reader's language.
"""

from __future__ import annotations

from typing import Any

from ideabox.platform.messages import english


class IdeaboxError(Exception):
    """Base of every error a user can cause. ``detail`` is shown to them; ``field``, when
    given, names the input at fault (``extra`` then lists it)."""

    status_code = 400

    def __init__(self, code: str, /, *, field: str | None = None, source: str = "body",
                 **params: Any) -> None:
        self.code = code
        self.params = params
        self.field = field
        self.message = english(code, params)
        self.detail = self._detail()
        super().__init__(self.detail)
        self.extra: Any = ({"code": code} if field is None else
                           [{"key": field, "message": self.message, "source": source,
                             "code": code}])

    def _detail(self) -> str:
        return self.message


class Invalid(IdeaboxError):
    """Input that parses but breaks a rule; ``field`` names the input at fault."""

    status_code = 400

    def __init__(self, field: str, code: str, /, *, source: str = "body",
                 **params: Any) -> None:
        super().__init__(code, field=field, source=source, **params)

    def _detail(self) -> str:
        return f"Invalid {self.field}: {self.message}"


class Unauthorized(IdeaboxError):
    status_code = 401


class Forbidden(IdeaboxError):
    status_code = 403


class NotFound(IdeaboxError):
    status_code = 404


class Conflict(IdeaboxError):
    status_code = 409


class UnsupportedMediaType(IdeaboxError):
    """A body in a form the route does not take (the JSON API takes JSON only)."""

    status_code = 415

    def _detail(self) -> str:
        return english("send_json", {})


class TooManyRequests(IdeaboxError):
    status_code = 429

    def __init__(self, code: str, /, *, retry_after: int) -> None:
        super().__init__(code)
        self.retry_after = max(1, retry_after)
        self.extra = {"code": code, "retry_after": retry_after}


class Unavailable(IdeaboxError):
    """A backing service (PostgreSQL) is out of reach; the request may be retried."""

    status_code = 503

    def __init__(self, code: str, /, *, retry_after: int = 5) -> None:
        super().__init__(code)
        self.retry_after = retry_after


class BadGateway(IdeaboxError):
    """A service ideabox relies on for the request (an OpenID provider) refused it, could
    not be reached, or answered something unusable."""

    status_code = 502


class GatewayTimeout(IdeaboxError):
    """A service ideabox relies on for the request (an OpenID provider) did not answer in
    time."""

    status_code = 504
