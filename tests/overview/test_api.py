"""The overview's JSON and its files, for staff, moderators and admins only."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from ideabox.overview.counting import refresh_overview
from tests.factories import bearer, make_user
from tests.overview.scene import HAVNEN, OVERALL, Town


@pytest.fixture
async def town(client, db, clock, app) -> Town:
    built = await Town(client, db, clock).build()
    services = app.state.services
    await refresh_overview(services.pool, services.clock.now())
    return built


@pytest.mark.parametrize(("role", "status"), [("resident", 403), ("staff", 200),
                                              ("moderator", 200), ("admin", 200)])
async def test_staff_moderators_and_admins_see_it(client, db, role, status):
    _, token = await make_user(db, role=role)
    response = await client.get("/api/v1/overview", headers=bearer(token))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["extra"] == {"code": "staff_only_overview"}
    files = await client.get("/api/v1/overview/votes", headers=bearer(token))
    assert files.status_code == status


async def test_anonymous_is_401(client):
    assert (await client.get("/api/v1/overview")).status_code == 401


async def test_the_json_has_every_figure_of_every_month(town, client, clock):
    response = await client.get("/api/v1/overview?purpose=havnen&months=3",
                                headers=bearer(town.token("sif")))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["purpose"] == "havnen" and body["timezone"] == "Europe/Copenhagen"
    assert body["as_of"] == clock.now().isoformat().replace("+00:00", "Z")
    months = {m.pop("month"): m for m in body["months"]}
    for month in months.values():
        month.pop("computed_at")
    assert months == HAVNEN
    overall = (await client.get("/api/v1/overview?months=3",
                                headers=bearer(town.token("sif")))).json()
    assert overall["purpose"] is None
    assert {m["month"]: m["participants"] for m in overall["months"]} == {
        month: figures["participants"] for month, figures in OVERALL.items()}


@pytest.mark.parametrize(("query", "field"), [("months=0", "months"), ("months=61", "months"),
                                               ("months=x", "months")])
async def test_bad_input_names_the_field(client, db, query, field):
    _, token = await make_user(db, role="staff")
    response = await client.get(f"/api/v1/overview?{query}", headers=bearer(token))
    assert response.status_code == 400
    assert field in response.text


async def test_unknown_purpose_or_figure_is_404(client, db):
    _, token = await make_user(db, role="staff")
    assert (await client.get("/api/v1/overview?purpose=nope",
                             headers=bearer(token))).status_code == 404
    response = await client.get("/api/v1/overview/nope", headers=bearer(token))
    assert response.status_code == 404
    assert response.json()["extra"] == {"code": "overview_figure_not_found"}


async def test_a_figure_as_csv(town, client):
    response = await client.get("/api/v1/overview/participants?purpose=havnen&months=3",
                                headers=bearer(town.token("admin")))
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="overview-havnen-participants.csv"')
    assert response.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["month", "residents", "staff"], ["2026-09", "4", "1"], ["2026-10", "2", "0"],
        ["2026-11", "0", "1"]]


async def test_a_figure_as_danish_excel_csv_writes_a_decimal_comma(town, client):
    response = await client.get("/api/v1/overview/answer_days?purpose=havnen&months=3"
                                "&format=csv-excel", headers=bearer(town.token("admin")))
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode()[1:]), delimiter=";"))
    assert rows == [["month", "median_days_to_answer"], ["2026-09", ""], ["2026-10", "4,0"],
                    ["2026-11", ""]]


async def test_a_figure_as_xlsx(town, client, tmp_path):
    response = await client.get("/admin/overview/promotions.xlsx?purpose=havnen&months=3",
                                headers=bearer(town.token("admin")))
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        'attachment; filename="overview-havnen-promotions.xlsx"')
    path = tmp_path / "f.xlsx"
    path.write_bytes(response.content)
    assert zipfile.is_zipfile(path)
    sheet = openpyxl.load_workbook(path).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["month", "promotions", "answers"], ["2026-09", 0, 0], ["2026-10", 2, 1],
        ["2026-11", 0, 0]]


@pytest.mark.parametrize("name", ["votes.pdf", "nope.csv", "votes", "votes-excel.xlsx"])
async def test_a_file_the_overview_does_not_have_is_404(client, db, name):
    _, token = await make_user(db, role="staff")
    assert (await client.get(f"/admin/overview/{name}",
                             headers=bearer(token))).status_code == 404
