"""Writing export rows as CSV, Excel-friendly CSV, JSON and XLSX, a few rows at a time.

CSV and JSON are produced as a stream of byte chunks while the rows arrive. XLSX cannot
be streamed (it is a zip whose directory comes last), so it is written in xlsxwriter's
constant-memory mode to a temporary file, which is then streamed from disk.

Formula injection (CWE-1236): a spreadsheet treats a cell starting with ``=``, ``+``,
``-`` or ``@`` (and, in some, a tab or carriage return) as a formula, so a title like
``=HYPERLINK("http://evil", "click")`` would run on a caseworker's machine. In CSV every
such text cell gets a leading ``'``, which spreadsheets show as text. In XLSX every
text goes in with ``write_string``, which never makes a formula, so the text is kept
exactly. JSON is data, not a spreadsheet, and keeps the text exactly too.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import xlsxwriter

from ideabox.exports.schemas import COLUMNS, ExportRow, Format

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_BYTES = 64 * 1024
BOM = "\ufeff"

# Litestar appends "; charset=utf-8" to text types itself.
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; header=present",
    "csv-excel": "text/csv; header=present",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS: dict[str, str] = {"csv": "csv", "csv-excel": "csv", "json": "json", "xlsx": "xlsx"}

RowCallback = Callable[[ExportRow], None]
# The writers take any rows whose attributes are the columns (the overview's figures too).
R = TypeVar("R", bound=msgspec.Struct)


def neutralise(text: str) -> str:
    """A CSV cell that no spreadsheet will take for a formula (CWE-1236)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def filename(month: str, purpose: str | None, fmt: Format) -> str:
    """``top-ideas-2026-11.xlsx``, or ``top-ideas-2026-11-<purpose>.xlsx`` for one purpose."""
    middle = f"{month}-{purpose}" if purpose else month
    return f"top-ideas-{middle}.{EXTENSIONS[fmt]}"


def _csv_cell(value: Any, excel: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Danish Excel reads "2026-11-03 10:15:00" as a date; ISO 8601 with its offset is
        # what other programs expect.
        return value.strftime("%Y-%m-%d %H:%M:%S") if excel else value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON writes it
    if isinstance(value, float) and excel:
        return str(value).replace(".", ",")  # Danish Excel reads a decimal comma
    return str(value)


async def encode_csv(rows: AsyncIterator[R], *, excel: bool = False,
                     on_row: Callable[[R], None] | None = None,
                     columns: Sequence[str] = COLUMNS) -> AsyncIterator[bytes]:
    """RFC 4180 CSV (UTF-8, CRLF, a header row); ``excel``: with a BOM and ``;`` as the
    delimiter, which Danish Excel opens correctly by double-click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)
    if excel:
        buffer.write(BOM)
    writer.writerow(columns)
    async for row in rows:
        writer.writerow([_csv_cell(getattr(row, column), excel) for column in columns])
        if on_row:
            on_row(row)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def encode_json(rows: AsyncIterator[ExportRow], *,
                      on_row: RowCallback | None = None) -> AsyncIterator[bytes]:
    """``{"items": [...]}``, each item with the columns as keys, in order."""
    encoder = msgspec.json.Encoder()
    chunk = bytearray(b'{"items":[')
    first = True
    async for row in rows:
        if not first:
            chunk += b","
        first = False
        chunk += encoder.encode(row)
        if on_row:
            on_row(row)
        if len(chunk) >= CHUNK_BYTES:
            yield bytes(chunk)
            chunk.clear()
    chunk += b"]}"
    yield bytes(chunk)


def encode(rows: AsyncIterator[ExportRow], fmt: Format,
           on_row: RowCallback | None = None) -> AsyncIterator[bytes]:
    """The byte chunks of a CSV or JSON export."""
    if fmt == "json":
        return encode_json(rows, on_row=on_row)
    if fmt in ("csv", "csv-excel"):
        return encode_csv(rows, excel=fmt == "csv-excel", on_row=on_row)
    raise ValueError(f"{fmt} is not a streamed format")


_WIDTHS = {"title": 60, "author": 24, "posted_at": 20, "response": 60, "url": 36,
           "purpose": 20, "status": 14, "answer_due": 20, "answered_at": 20}


async def write_xlsx(rows: AsyncIterator[R], path: Path, *,
                     on_row: Callable[[R], None] | None = None,
                     columns: Sequence[str] = COLUMNS, sheet_name: str = "Top ideas") -> None:
    """An XLSX workbook at ``path``: a bold header row, texts always as text (never
    formulas), timestamps as real dates and times; rows flushed to disk as written."""
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,
        "tmpdir": str(path.parent),
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    try:
        sheet = workbook.add_worksheet(sheet_name)
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for index, column in enumerate(columns):
            sheet.set_column(index, index, _WIDTHS.get(column, 12))
            sheet.write_string(0, index, column, bold)
        sheet.freeze_panes(1, 0)
        line = 0
        async for row in rows:
            line += 1
            for index, column in enumerate(columns):
                value = getattr(row, column)
                if value is None:
                    continue
                if isinstance(value, datetime):
                    # Excel has no time zones: the local time of the purpose's zone.
                    sheet.write_datetime(line, index, value.replace(tzinfo=None), when)
                elif isinstance(value, bool):  # before int: a bool is an int too
                    sheet.write_boolean(line, index, value)
                elif isinstance(value, int | float):
                    sheet.write_number(line, index, value)
                else:
                    sheet.write_string(line, index, value)
            if on_row:
                on_row(row)
    finally:
        # Zipping the sheet up is blocking file work: keep it off the event loop.
        await asyncio.to_thread(workbook.close)


async def stream_file(path: Path) -> AsyncIterator[bytes]:
    """A file's bytes in chunks, read off the event loop."""
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()


async def stream_export(rows: AsyncIterator[ExportRow], fmt: Format) -> AsyncIterator[bytes]:
    """Any format as a stream of byte chunks; XLSX by way of a temporary file, removed
    afterwards however the stream ends."""
    if fmt != "xlsx":
        async for chunk in encode(rows, fmt):
            yield chunk
        return
    async for chunk in stream_xlsx(rows):
        yield chunk


async def stream_xlsx(rows: AsyncIterator[R], *, columns: Sequence[str] = COLUMNS,
                      sheet_name: str = "Top ideas") -> AsyncIterator[bytes]:
    """An XLSX workbook of ``rows`` as a stream of byte chunks, by way of a temporary
    file, removed afterwards however the stream ends."""
    folder = Path(tempfile.mkdtemp(prefix="ideabox-export-"))
    try:
        path = folder / "export.xlsx"
        await write_xlsx(rows, path, columns=columns, sheet_name=sheet_name)
        async for chunk in stream_file(path):
            yield chunk
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def write_file(rows: AsyncIterator[ExportRow], fmt: Format, target: Path,
                     on_row: RowCallback | None = None) -> None:
    """Write an export to ``target``: to a temporary file beside it first, renamed into
    place only when complete, so an interrupted export leaves no half-written file."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    # mkstemp makes the file private (0600); an export is for sharing, so it gets the
    # permissions any new file of this user would have.
    umask = os.umask(0)
    os.umask(umask)
    await asyncio.to_thread(partial.chmod, 0o666 & ~umask)
    try:
        if fmt == "xlsx":
            await write_xlsx(rows, partial, on_row=on_row)
        else:
            out = await asyncio.to_thread(partial.open, "wb")
            try:
                async for chunk in encode(rows, fmt, on_row):
                    await asyncio.to_thread(out.write, chunk)
            finally:
                out.close()
        await asyncio.to_thread(partial.replace, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(partial.unlink)
