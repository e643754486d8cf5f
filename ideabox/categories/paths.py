"""The category's slug in the routes' paths, shared by the JSON and the HTML routes."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from ideabox.purposes.schemas import SLUG_PATTERN

CategoryParam = Annotated[str, Parameter(description="The category's slug", schema_extra={
    "pattern": SLUG_PATTERN, "max_length": 60})]
