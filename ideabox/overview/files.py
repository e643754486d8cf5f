"""Each figure of the overview as a file: CSV (RFC 4180, or Danish Excel's, with a BOM,
``;`` and a decimal comma) or XLSX, written by the exports' writers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from litestar.response import Stream

from ideabox.exports import formats
from ideabox.overview.charts import BY_NAME, Figure
from ideabox.overview.schemas import Format, MonthFigures, Overview
from ideabox.platform.errors import NotFound

EXTENSIONS: dict[str, Format] = {".csv": "csv", "-excel.csv": "csv-excel", ".xlsx": "xlsx"}


def figure_named(name: str) -> Figure:
    """The figure called ``name``; 404 if there is none."""
    figure = BY_NAME.get(name)
    if figure is None:
        raise NotFound("overview_figure_not_found", name=name)
    return figure


def parse_file_name(name: str) -> tuple[Figure, Format]:
    """``votes.csv``, ``votes-excel.csv`` or ``votes.xlsx`` as the figure and the format;
    404 for any other name."""
    for ending, fmt in EXTENSIONS.items():
        if name.endswith(ending) and not (fmt == "csv" and name.endswith("-excel.csv")):
            return figure_named(name.removesuffix(ending)), fmt
    raise NotFound("overview_figure_not_found", name=name)


def columns(figure: Figure) -> tuple[str, ...]:
    return ("month", *(series.field for series in figure.series))


def file_name(overview: Overview, figure: Figure, fmt: Format) -> str:
    """``overview-all-votes.csv``, ``overview-havnen-votes.xlsx``, …"""
    ending = next(end for end, known in EXTENSIONS.items() if known == fmt)
    return f"overview-{overview.purpose or 'all'}-{figure.name}{ending}"


async def _rows(months: Sequence[MonthFigures]) -> AsyncIterator[MonthFigures]:
    for month in months:
        yield month


def encode(overview: Overview, figure: Figure, fmt: Format) -> AsyncIterator[bytes]:
    """The figure's months as the byte chunks of a file."""
    if fmt == "xlsx":
        return formats.stream_xlsx(_rows(overview.months), columns=columns(figure),
                                   sheet_name=figure.name)
    return formats.encode_csv(_rows(overview.months), excel=fmt == "csv-excel",
                              columns=columns(figure))


MEDIA_TYPES: dict[Format, str] = {fmt: formats.MEDIA_TYPES[fmt] for fmt in EXTENSIONS.values()}


def download(overview: Overview, figure: Figure, fmt: Format) -> Stream:
    """The figure's file as a download."""
    name = file_name(overview, figure, fmt)
    return Stream(encode(overview, figure, fmt), media_type=MEDIA_TYPES[fmt],
                  headers={"Content-Disposition": f'attachment; filename="{name}"'})
