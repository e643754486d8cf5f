"""The writers on their own: chunked output, formula neutralising, no half-written files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ideabox.exports import formats
from ideabox.exports.schemas import COLUMNS, ExportRow


def _row(n: int) -> ExportRow:
    return ExportRow(month="2026-09", purpose="havnen", rank=n, idea_id=n,
                     title=f"Idé {n}, med komma", author="Anna", votes_in_month=n,
                     posted_at=datetime(2026, 9, 1, 8, tzinfo=ZoneInfo("Europe/Copenhagen")),
                     total_votes=n, comments=0, status="promoted", response=None,
                     url=f"https://ideer.example/ideas/{n}",
                     answer_due=datetime(2026, 11, 1, 8, tzinfo=ZoneInfo("Europe/Copenhagen")),
                     answered_at=None, overdue=n % 3 == 0,
                     category="trafik" if n % 5 == 0 else None, assisted=n % 2 == 0)


async def _rows(count: int, fail_at: int | None = None) -> AsyncIterator[ExportRow]:
    for n in range(1, count + 1):
        if n == fail_at:
            raise RuntimeError("the database went away")
        yield _row(n)


@pytest.mark.parametrize(("text", "cell"), [
    ("=1+2", "'=1+2"), ("+45 12 34 56 78", "'+45 12 34 56 78"), ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tTAB", "'\tTAB"), ("\rCR", "'\rCR"),
    ("Almindelig", "Almindelig"), ("a=b", "a=b"), ("", ""),
])
def test_neutralise(text, cell):
    assert formats.neutralise(text) == cell


def test_filenames():
    assert formats.filename("2026-11", None, "xlsx") == "top-ideas-2026-11.xlsx"
    assert formats.filename("2026-11", "havnen", "csv-excel") == "top-ideas-2026-11-havnen.csv"


async def test_large_csv_comes_in_chunks_and_parses_back():
    chunks = [c async for c in formats.encode(_rows(5000), "csv")]
    assert len(chunks) > 2
    assert all(len(c) < 2 * formats.CHUNK_BYTES for c in chunks)
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 5001
    assert rows[-1][COLUMNS.index("title")] == "Idé 5000, med komma"


async def test_large_json_comes_in_chunks_and_parses_back():
    chunks = [c async for c in formats.encode(_rows(5000), "json")]
    assert len(chunks) > 2
    items = json.loads(b"".join(chunks))["items"]
    assert len(items) == 5000 and items[0]["posted_at"] == "2026-09-01T08:00:00+02:00"


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
async def test_a_failed_export_leaves_no_file(tmp_path: Path, fmt):
    target = tmp_path / f"export.{fmt}"
    target.write_bytes(b"the previous export")
    with pytest.raises(RuntimeError):
        await formats.write_file(_rows(100, fail_at=50), fmt, target)
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


async def test_the_xlsx_stream_removes_its_temporary_file(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(formats.tempfile, "tempdir", str(tmp_path))
    data = b"".join([c async for c in formats.stream_export(_rows(10), "xlsx")])
    assert data.startswith(b"PK")
    assert list(tmp_path.iterdir()) == []
