"""The overview in JSON, and each figure as a file, for staff, moderators and admins."""

from __future__ import annotations

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
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream

from ideabox.http.routing import BEARER, RequestDb, SignedIn, errors
from ideabox.overview import files
from ideabox.overview.charts import BY_NAME
from ideabox.overview.schemas import Format, Overview
from ideabox.overview.service import DEFAULT_MONTHS, MAX_MONTHS, read_overview

PurposeQuery = Annotated[str | None, QueryParameter(
    max_length=60, description="A purpose's slug; all purposes together if absent")]
MonthsQuery = Annotated[int, QueryParameter(
    ge=1, le=MAX_MONTHS, description=f"How many months, up to the one under way (1-{MAX_MONTHS})")]
FormatQuery = Annotated[Format, QueryParameter(name="format", description="The file format")]
FigureName = Annotated[str, Parameter(description="The figure: " + ", ".join(
    f.name for f in BY_NAME.values()), max_length=40)]


@dataclass
class FileOperation(Operation):
    """The file's 200 in the formats it is sent in (Litestar describes one media type)."""

    def __post_init__(self) -> None:
        answer = (self.responses or {}).get("200")
        if not isinstance(answer, OpenAPIResponse):
            return
        text = Schema(type=OpenAPIType.STRING)
        xlsx = files.MEDIA_TYPES["xlsx"]
        answer.content = {
            "text/csv": OpenAPIMediaType(schema=text),
            xlsx: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING,
                                                 content_media_type=xlsx)),
        }
        answer.headers = {"Content-Disposition": OpenAPIHeader(
            schema=text, description='attachment; filename="overview-havnen-votes.csv": the '
                                     "purpose (or all), the figure and the format's ending")}


class OverviewController(Controller):
    path = "/overview"
    tags = ["overview"]

    @get(summary="Figures per month, of one purpose or all (staff, moderators, admins)",
         security=BEARER, responses=errors(400, 401, 403, 404))
    async def overview(self, db: RequestDb, user: SignedIn, purpose: PurposeQuery = None,
                       months: MonthsQuery = DEFAULT_MONTHS) -> Overview:
        """The last ``months`` months, oldest first, as last counted (``as_of``); see the
        README, "Overview", for what each figure counts."""
        return await read_overview(db.conn, user, purpose, months=months, now=db.now)

    @get("/{figure:str}", summary="One figure of the overview as CSV or XLSX",
         security=BEARER, operation_class=FileOperation, responses={
             200: ResponseSpec(str, media_type=MediaType.TEXT, generate_examples=False,
                               description="The figure's months as a download"),
             **errors(400, 401, 403, 404)})
    async def figure_file(self, db: RequestDb, user: SignedIn, figure: FigureName,
                          purpose: PurposeQuery = None, months: MonthsQuery = DEFAULT_MONTHS,
                          fmt: FormatQuery = "csv") -> Stream:
        """Columns: ``month`` and the figure's series (e.g. ``residents``, ``staff``)."""
        chosen = files.figure_named(figure)
        overview = await read_overview(db.conn, user, purpose, months=months, now=db.now)
        return files.download(overview, chosen, fmt)


routes = [OverviewController]
