"""Names for what routes ask Litestar to inject, so every route reads the same way.

Litestar 3 wants injected dependencies and request bodies marked explicitly; these
aliases keep route signatures short: ``db: RequestDb, user: SignedIn,
data: JSONBody[IdeaCreate]``.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.openapi.spec import SecurityRequirement
from litestar.params import Parameter

from ideabox.accounts.schemas import Viewer
from ideabox.db import Db

RequestDb = NamedDependency[Db]
"""The request's connection (and, for unsafe methods, its transaction)."""

SignedIn = NamedDependency[Viewer]
"""The signed-in person; 401 when nobody is."""

MaybeSignedIn = NamedDependency[Viewer | None]
"""The signed-in person, or None."""

AnyRequest = Request[Any, Any, Any]

BEARER: list[SecurityRequirement] = [{"BearerToken": []}]
"""For the OpenAPI description of routes that need a sign-in."""

MAX_ID = 2**63 - 1
IdeaId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The idea's id")]
CommentId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The comment's id")]
UserId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The user's id")]
SignInId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The sign-in's id")]
