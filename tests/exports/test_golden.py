"""Golden files for every export format, and the four formats telling the same story.

The files in tests/testdata/exports/ are the contract case systems import. After a
deliberate change, regenerate them with ``IDEABOX_UPDATE_GOLDEN=1 pytest tests/exports``
and read the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ideabox.exports.formats import FORMULA_STARTS
from ideabox.exports.schemas import COLUMNS
from tests.exports.scenarios import MONTH, SCENARIOS
from tests.factories import bearer, make_user

GOLDEN = Path(__file__).resolve().parents[1] / "testdata" / "exports"
UPDATE = os.environ.get("IDEABOX_UPDATE_GOLDEN") == "1"
SUFFIXES = {"csv": ".csv", "csv-excel": ".excel.csv", "json": ".json", "xlsx": ".xlsx"}
TIMESTAMPS = ("posted_at", "answer_due", "answered_at")


async def _download(client, token: str, slug: str, fmt: str) -> bytes:
    response = await client.get("/api/v1/exports/top-ideas", headers=bearer(token),
                                params={"month": MONTH, "purpose": slug, "format": fmt})
    assert response.status_code == 200, response.text
    return response.content


def _xlsx_cells(data: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _check_golden(name: str, fmt: str, data: bytes) -> None:
    path = GOLDEN / f"{name}{SUFFIXES[fmt]}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path.name} is missing; make it with IDEABOX_UPDATE_GOLDEN=1"
    if fmt == "xlsx":
        # The zip holds a creation time; the cells are the contract.
        assert _xlsx_cells(data) == _xlsx_cells(path.read_bytes())
    else:
        assert data == path.read_bytes(), f"{path.name} differs from the golden file"


def _unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _from_csv(data: bytes, excel: bool) -> list[dict[str, Any]]:
    text = data.decode("utf-8")
    if excel:
        assert text.startswith("\ufeff")
        text = text[1:]
    else:
        assert not text.startswith("\ufeff")
    assert "\r\n" in text and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))
    assert tuple(rows[0]) == COLUMNS
    parsed = []
    for row in rows[1:]:
        item: dict[str, Any] = dict(zip(COLUMNS, row, strict=True))
        for column in ("rank", "idea_id", "votes_in_month", "total_votes", "comments"):
            item[column] = int(item[column])
        for column in ("assisted", "overdue"):
            assert item[column] in ("true", "false")
            item[column] = item[column] == "true"
        for column in ("title", "author", "response", "status", "purpose", "month", "url",
                       "category"):
            item[column] = _unneutralise(item[column]) or None
        for column in TIMESTAMPS:
            stamp = item[column]
            item[column] = (None if not stamp
                            else datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S") if excel
                            else datetime.fromisoformat(stamp).replace(tzinfo=None))
        parsed.append(item)
    return parsed


def _from_json(data: bytes) -> list[dict[str, Any]]:
    body = json.loads(data)
    assert list(body) == ["items"]
    for item in body["items"]:
        assert tuple(item) == COLUMNS
        for column in TIMESTAMPS:
            if item[column] is not None:
                item[column] = datetime.fromisoformat(item[column]).replace(tzinfo=None)
    items: list[dict[str, Any]] = body["items"]
    return items


def _from_xlsx(data: bytes) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    header = next(sheet.iter_rows(min_row=1, max_row=1))
    assert tuple(c.value for c in header) == COLUMNS
    assert all(c.font.bold for c in header)
    parsed = []
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            # Text stays text: nothing became a formula.
            assert cell.data_type != "f", cell.coordinate
        item = {c: cell.value for c, cell in zip(COLUMNS, row, strict=True)}
        for column in TIMESTAMPS:
            stamp = row[COLUMNS.index(column)]
            if stamp.value is not None:
                assert stamp.is_date and stamp.number_format == "yyyy-mm-dd hh:mm:ss"
        parsed.append(item)
    return parsed


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_every_format_matches_its_golden_file_and_they_agree(name, client, db):
    slug = await SCENARIOS[name](client, db)
    _, staff = await make_user(db, role="staff")
    downloads = {fmt: await _download(client, staff, slug, fmt) for fmt in SUFFIXES}
    for fmt, data in downloads.items():
        _check_golden(name, fmt, data)

    from_csv = _from_csv(downloads["csv"], excel=False)
    assert _from_csv(downloads["csv-excel"], excel=True) == from_csv
    assert _from_json(downloads["json"]) == from_csv
    assert _from_xlsx(downloads["xlsx"]) == from_csv
    expected_rows = {"empty": 0, "one": 1, "many": 8, "danish": 1, "formulas": 5,
                     "assisted": 2, "categories": 3}[name]
    assert len(from_csv) == expected_rows
    # Added columns come after the ones API.md fixes.
    assert COLUMNS[:13] == ("month", "purpose", "rank", "idea_id", "title", "author",
                            "posted_at", "votes_in_month", "total_votes", "comments",
                            "status", "response", "url")
    # The answer deadline's columns, then (API.md) category and volunteers, then assisted.
    assert COLUMNS[13:17] == ("answer_due", "answered_at", "overdue", "category")
    assert COLUMNS[-1] == "assisted"
    if name == "assisted":
        assert [(row["author"], row["assisted"]) for row in from_csv] == [
            ("Karen Hansen", True), ("Anna Jensen", False)]
    if name == "categories":
        # By slug, a retired category too; an idea without one has an empty cell.
        assert [row["category"] for row in from_csv] == ["trafik", "groenne-omraader", None]


async def test_formula_cells_are_neutralised_in_csv_and_kept_exact_elsewhere(client, db):
    slug = await SCENARIOS["formulas"](client, db)
    _, staff = await make_user(db, role="staff")
    raw = (await _download(client, staff, slug, "csv")).decode()
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert [r["title"] for r in rows] == [
        "'=HYPERLINK(\"https://example.com\",\"Klik her\")", "'+1 flere bænke",
        "'-2 parkeringspladser", "'@x på torvet i byen", "Helt almindelig titel"]
    assert {r["author"] for r in rows} == {"'@borger"}
    assert rows[0]["response"] == "'- punkt et\n- =SUM(A1:A2)"
    cells = _xlsx_cells(await _download(client, staff, slug, "xlsx"))
    assert cells[1][COLUMNS.index("title")] == '=HYPERLINK("https://example.com","Klik her")'
    items = json.loads(await _download(client, staff, slug, "json"))["items"]
    assert items[1]["title"] == "+1 flere bænke"
