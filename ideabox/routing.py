"""Names for what routes ask Litestar to inject, so every route reads the same way."""

from __future__ import annotations

from litestar.di import NamedDependency

from ideabox.accounts.schemas import Viewer
from ideabox.db import Db

RequestDb = NamedDependency[Db]
"""The request's connection (and, for unsafe methods, its transaction)."""

SignedIn = NamedDependency[Viewer]
"""The signed-in person; 401 when nobody is."""

MaybeSignedIn = NamedDependency[Viewer | None]
"""The signed-in person, or None."""
