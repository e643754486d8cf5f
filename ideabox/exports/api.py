"""The export as a download: streamed, never built in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.response import Stream

from ideabox.exports import formats, service
from ideabox.exports.schemas import Format
from ideabox.months import month_label, parse_month
from ideabox.routing import BEARER, RequestDb, SignedIn

MonthQuery = Annotated[str, QueryParameter(max_length=7, description="YYYY-MM")]
PurposeQuery = Annotated[str | None, QueryParameter(max_length=60,
                                                    description="A purpose's slug; all if absent")]
FormatQuery = Annotated[Format, QueryParameter(name="format", description="The file format")]


class ExportsController(Controller):
    path = "/exports"
    tags = ["exports"]

    @get("/top-ideas", summary="A month's promoted ideas as CSV, XLSX or JSON (staff, admin)",
         security=BEARER)
    async def top_ideas(self, db: RequestDb, user: SignedIn, state: State, month: MonthQuery,
                        purpose: PurposeQuery = None, fmt: FormatQuery = "csv") -> Stream:
        """The recorded promotion of a month with each idea's current state; 404 if no
        promotion of that month is on record. Columns: see the README, "Exports"."""
        scope = await service.find_scope(db.conn, user, parse_month(month, source="query"),
                                         purpose)
        rows = service.rows_from_pool(state.pool, scope, state.settings.base_url)
        name = formats.filename(month_label(scope.month), scope.purpose, fmt)
        chunks = await _started(formats.stream_export(rows, fmt))
        return Stream(chunks, media_type=formats.MEDIA_TYPES[fmt],
                      headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def _started(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """``chunks`` with the first one made before the response starts: a database out of
    reach when the export begins is then a 503 like any other, not a download cut short.
    (Lost later, the connection's loss can only end the transfer unfinished.)"""
    first = await anext(chunks, None)

    async def all_chunks() -> AsyncIterator[bytes]:
        if first is not None:
            yield first
        async for chunk in chunks:
            yield chunk

    return all_chunks()


routes = [ExportsController]
