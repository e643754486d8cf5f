"""The export as a download: streamed, never built in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, MediaType, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import QueryParameter
from litestar.response import Stream

from ideabox.exports import formats, service
from ideabox.exports.schemas import Format, TopIdeas
from ideabox.http.routing import BEARER, RequestDb, SignedIn, Svc, errors
from ideabox.platform.months import MONTH_PATTERN, month_label, parse_month

# Checked by ``parse_month``, whose answers name the month and say what is wrong.
MonthQuery = Annotated[str, QueryParameter(max_length=7,
                                           description="YYYY-MM (2000-01 to 9998-12)",
                                           schema_extra={"pattern": MONTH_PATTERN})]
PurposeQuery = Annotated[str | None, QueryParameter(max_length=60,
                                                    description="A purpose's slug; all if absent")]
FormatQuery = Annotated[Format, QueryParameter(name="format", description="The file format")]


@dataclass
class DownloadOperation(Operation):
    """The export's 200 in every format it is sent in. Litestar describes one media type
    per answer, here JSON's (from ``TopIdeas``); CSV and XLSX are added beside it, with
    the file name the download carries."""

    def __post_init__(self) -> None:
        answer = (self.responses or {}).get("200")
        if not isinstance(answer, OpenAPIResponse):
            return
        text = Schema(type=OpenAPIType.STRING)
        answer.content = {
            "text/csv": OpenAPIMediaType(schema=text),
            formats.MEDIA_TYPES["xlsx"]: OpenAPIMediaType(schema=Schema(
                type=OpenAPIType.STRING, content_media_type=formats.MEDIA_TYPES["xlsx"])),
            **(answer.content or {}),
        }
        answer.headers = {"Content-Disposition": OpenAPIHeader(
            schema=text, description='attachment; filename="top-ideas-2026-11-havnen.csv": '
                                     "the month, the purpose if one was asked for, and the "
                                     "format's extension")}


class ExportsController(Controller):
    path = "/exports"
    tags = ["exports"]

    @get("/top-ideas", summary="A month's promoted ideas as CSV, XLSX or JSON (staff, admin)",
         security=BEARER, operation_class=DownloadOperation, responses={
             200: ResponseSpec(TopIdeas, media_type=MediaType.JSON, generate_examples=False,
                               description="The rows, in the format asked for, as a "
                                           "download; CSV and JSON as they are made"),
             **errors(400, 401, 403, 404)})
    async def top_ideas(self, db: RequestDb, user: SignedIn, services: Svc, month: MonthQuery,
                        purpose: PurposeQuery = None, fmt: FormatQuery = "csv") -> Stream:
        """The recorded promotion of a month with each idea's current services; 404 if no
        promotion of that month is on record. Columns: see the README, "Exports"."""
        scope = await service.find_scope(db.conn, user, parse_month(month, source="query"),
                                         purpose, now=db.now)
        rows = service.rows_from_pool(services.pool, scope, services.settings.base_url)
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
