"""The download page for the month's top ideas, in every format. The files themselves
come from the exports API, which the browser's session may call like any client."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import get
from litestar.params import QueryParameter
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from ideabox.exports.service import ensure_may_export
from ideabox.http.pages.render import page
from ideabox.http.routing import RequestDb, SignedIn, Svc
from ideabox.platform.months import current_month, month_label, parse_month, previous_month
from ideabox.purposes.service import list_purposes

FORMATS = (("xlsx", "Excel (XLSX)"), ("csv-excel", "CSV (Excel, ;)"), ("csv", "CSV (RFC 4180)"),
           ("json", "JSON"))
MonthParam = Annotated[str | None, QueryParameter(max_length=7)]
SlugParam = Annotated[str | None, QueryParameter(max_length=60)]


@get("/admin/exports")
async def exports_page(db: RequestDb, user: SignedIn, services: Svc, month: MonthParam = None,
                       purpose: SlugParam = None) -> Template:
    """Choose a month (and a purpose, or all of them) and download it."""
    ensure_may_export(user)
    chosen = (parse_month(month, source="query") if month
              else previous_month(current_month("Europe/Copenhagen", db.now)))
    purposes = await list_purposes(db, services.settings)
    query = {"month": month_label(chosen), **({"purpose": purpose} if purpose else {})}
    links = [(label, "/api/v1/exports/top-ideas?" + urlencode({**query, "format": code}))
             for code, label in FORMATS]
    return page("admin/exports.html", viewer=user, month=month_label(chosen),
                purpose=purpose or "", purpose_options=[(p.slug, p.title) for p in purposes],
                links=links)


routes: list[ControllerRouterHandler] = [exports_page]
