"""Names for what routes ask Litestar to inject, and for the errors they answer, so every
route reads the same way.

Litestar 3 wants injected dependencies and request bodies marked explicitly; these
aliases keep route signatures short: ``db: RequestDb, user: SignedIn,
data: JSONBody[IdeaCreate]``. ``errors(401, 404)`` documents the error answers a route
gives, so that the OpenAPI description says what the service really answers.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import SecurityRequirement
from litestar.params import Parameter

from ideabox.accounts.schemas import Viewer
from ideabox.http.errors import ErrorBody
from ideabox.platform.db import Db
from ideabox.platform.months import MONTH_PATTERN
from ideabox.purposes.schemas import SLUG_PATTERN
from ideabox.services import Services

Svc = NamedDependency[Services]
"""The worker's services (pool, cache, tallies, idea cache, mailer, clock, settings)."""

RequestDb = NamedDependency[Db]
"""The request's connection (and, for unsafe methods, its transaction)."""

SignedIn = NamedDependency[Viewer]
"""The signed-in person; 401 when nobody is."""

MaybeSignedIn = NamedDependency[Viewer | None]
"""The signed-in person, or None."""

Writer = NamedDependency[Viewer]
"""The signed-in person, whose write this request is: counted against their writes per
minute (429 past the allowance). Ask for it as ``writer``."""

AnyRequest = Request[Any, Any, Any]

BEARER: list[SecurityRequirement] = [{"BearerToken": []}]
"""For the OpenAPI description of routes that need a sign-in."""

Limit = Annotated[int, Parameter(ge=1, le=100, description="Items per page (1-100)")]
Cursor = Annotated[str | None, Parameter(max_length=512,
                                          description="next_cursor from the previous page")]

MAX_ID = 2**63 - 1
# Litestar writes a bound into the OpenAPI description as a float, and 2**63 - 1 as a
# float is 2**63, an id the route refuses: the exact integer is written over it.
EXACT_MAX_ID = {"maximum": MAX_ID}
IdeaId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The idea's id",
                                  schema_extra=EXACT_MAX_ID)]
CommentId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The comment's id",
                                     schema_extra=EXACT_MAX_ID)]
CaseId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The case's id in the "
                                  "moderation queue", schema_extra=EXACT_MAX_ID)]
UserId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The user's id",
                                  schema_extra=EXACT_MAX_ID)]
SignInId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The sign-in's id",
                                    schema_extra=EXACT_MAX_ID)]
# Described, not checked: an address that names no purpose is a 404 whatever its form.
PurposeSlug = Annotated[str, Parameter(description="The purpose's slug", schema_extra={
    "pattern": SLUG_PATTERN, "max_length": 60})]
# Checked by ``parse_month``, whose answers name the month and say what is wrong.
MonthPath = Annotated[str, Parameter(description="A calendar month, YYYY-MM (2000-01 to "
                                                 "9998-12)",
                                     schema_extra={"pattern": MONTH_PATTERN})]

_ERRORS: dict[int, str] = {
    400: "The input is not valid; `extra` names each field at fault",
    401: "Not signed in, or the bearer token is unknown or revoked",
    403: "Not allowed: the role, or the purpose's audience, does not permit it; or a request "
         "made with the session cookie lacks its CSRF token",
    404: "Not found, or hidden from the person asking",
    409: "Not possible in the present state; `detail` says why",
    413: "The request body is larger than the route takes",
    415: "The body is not declared JSON (`Content-Type: application/json`)",
    429: "Too many requests; try again after `Retry-After` seconds",
    503: "PostgreSQL is out of reach, or took too long; try again after `Retry-After` "
         "seconds",
}


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """The OpenAPI ``responses`` for a route's error answers, each in the one error shape;
    with 503, which any route answers when PostgreSQL is out of reach."""
    return {code: ResponseSpec(data_container=ErrorBody, description=_ERRORS[code],
                               generate_examples=False)
            for code in sorted({*codes, 503})}
