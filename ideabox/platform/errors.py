"""The service's errors, mapped to HTTP in one place (``ideabox.http.errors``).

Service functions raise these; routes never build error responses themselves.
"""

from __future__ import annotations

from typing import Any


class IdeaboxError(Exception):
    """Base of every error a user can cause. ``detail`` is shown to them."""

    status_code = 400

    def __init__(self, detail: str, *, extra: Any = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Invalid(IdeaboxError):
    """Input that parses but breaks a rule; ``field`` names the input at fault."""

    status_code = 400

    def __init__(self, field: str, message: str, *, source: str = "body") -> None:
        super().__init__(f"Invalid {field}: {message}",
                         extra=[{"key": field, "message": message, "source": source}])
        self.field = field
        self.message = message


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


class TooManyRequests(IdeaboxError):
    status_code = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, extra={"retry_after": retry_after})
        self.retry_after = max(1, retry_after)


class Unavailable(IdeaboxError):
    """A backing service (PostgreSQL) is out of reach; the request may be retried."""

    status_code = 503

    def __init__(self, detail: str, *, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
