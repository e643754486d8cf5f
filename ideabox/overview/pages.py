"""The overview page ("Overblik"): every figure as a chart with its table and files."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import get
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream, Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages.render import lang, page
from ideabox.http.routing import AnyRequest, RequestDb, SignedIn
from ideabox.overview import files
from ideabox.overview.charts import FIGURES, render_chart
from ideabox.overview.service import (
    DEFAULT_MONTHS,
    MAX_MONTHS,
    ensure_may_see_overview,
    purpose_choices,
    read_overview,
)

PurposeParam = Annotated[str | None, QueryParameter(max_length=60)]
MonthsParam = Annotated[int, QueryParameter(ge=1, le=MAX_MONTHS)]
FileName = Annotated[str, Parameter(max_length=60, description="figure.csv, figure-excel.csv "
                                                              "or figure.xlsx")]
MONTH_CHOICES = (6, 12, 24, 36)


@get("/admin/overview")
async def overview_page(request: AnyRequest, db: RequestDb, user: SignedIn,
                        purpose: PurposeParam = None,
                        months: MonthsParam = DEFAULT_MONTHS) -> Template:
    """Figures per month of one purpose or all, each as a chart, a table and files."""
    ensure_may_see_overview(user)
    purpose = purpose or None
    overview = await read_overview(db.conn, user, purpose, months=months, now=db.now)
    reader = lang(request)
    query = {**({"purpose": purpose} if purpose else {}),
             **({"months": str(months)} if months != DEFAULT_MONTHS else {})}
    suffix = "?" + urlencode(query) if query else ""
    charts = [{
        "figure": figure,
        "svg": render_chart(figure, overview.months, reader),
        "rows": [(month.month, [getattr(month, s.field) for s in figure.series])
                 for month in overview.months],
        "files": [(label, f"/admin/overview/{figure.name}{ending}{suffix}")
                  for ending, label in (("-excel.csv", "CSV (Excel, ;)"), (".csv", "CSV"),
                                        (".xlsx", "Excel (XLSX)"))],
    } for figure in FIGURES]
    purposes = await purpose_choices(db.conn)
    title = next((name for slug, name in purposes if slug == purpose), None)
    choices = sorted({*MONTH_CHOICES, months})
    return page("admin/overview.html", viewer=user, overview=overview, charts=charts,
                purpose=purpose or "", purpose_title=title, months=months,
                purpose_options=purposes,
                month_options=[(str(n), str(n)) for n in choices])


@get("/admin/overview/{name:str}")
async def overview_file(db: RequestDb, user: SignedIn, name: FileName,
                        purpose: PurposeParam = None,
                        months: MonthsParam = DEFAULT_MONTHS) -> Stream:
    """One figure as ``<figure>.csv``, ``<figure>-excel.csv`` or ``<figure>.xlsx``."""
    ensure_may_see_overview(user)
    figure, fmt = files.parse_file_name(name)
    overview = await read_overview(db.conn, user, purpose or None, months=months, now=db.now)
    return files.download(overview, figure, fmt)


routes: list[ControllerRouterHandler] = [overview_page, overview_file]
