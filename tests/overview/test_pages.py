"""The overview page: charts with their titles, descriptions and tables, in Danish and
English, for staff only."""

from __future__ import annotations

import re

import pytest

from ideabox.overview.charts import FIGURES
from ideabox.overview.counting import refresh_overview
from tests.factories import make_user
from tests.overview.scene import Town
from tests.web.forms import sign_in


@pytest.fixture
async def town(client, db, clock, app) -> Town:
    built = await Town(client, db, clock).build()
    services = app.state.services
    await refresh_overview(services.pool, services.clock.now())
    return built


async def signed_in_as(client, db, role: str) -> None:
    await make_user(db, role=role, email=f"{role}@kommune.dk")
    await sign_in(client, f"{role}@kommune.dk")


async def test_signed_out_is_sent_to_sign_in(client):
    response = await client.get("/admin/overview")
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/signin")


async def test_a_resident_is_refused(client, db):
    await signed_in_as(client, db, "resident")
    assert (await client.get("/admin/overview")).status_code == 403


async def test_every_figure_is_a_described_chart_with_its_table(town, client, db):
    await signed_in_as(client, db, "staff")
    page = (await client.get("/admin/overview?purpose=havnen&months=3")).text
    for figure in FIGURES:
        ident = f"chart-{figure.name}"
        assert f'aria-labelledby="{ident}-title {ident}-desc"' in page
        assert f'<title id="{ident}-title">' in page and f'<desc id="{ident}-desc">' in page
        assert f'href="/admin/overview/{figure.name}.xlsx?purpose=havnen&amp;months=3"' in page
    assert page.count('role="img"') == len(FIGURES)
    assert page.count("<table class=\"overview-table\">") == len(FIGURES)
    assert 'style="' not in page.split("<main", 1)[1]  # the CSP allows no inline style
    # Danish: months, numbers and the description in Danish.
    votes = page.split('id="h-votes"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<th scope="row">september 2026</th><td>4</td>', votes)
    assert "Søjler pr. måned fra september 2026 til november 2026" in votes
    assert "Overblik" in page


async def test_the_page_in_english(town, client, db):
    await signed_in_as(client, db, "moderator")
    client.cookies.set("lang", "en")
    page = (await client.get("/admin/overview?months=3")).text
    assert "<h1>Overview</h1>" in page
    assert "Bars per month from September 2026 to November 2026" in page
    participants = page.split('id="h-participants"', 1)[1].split("</section>", 1)[0]
    assert '<th scope="col">Residents</th><th scope="col">Staff</th>' in participants
    assert re.search(r'<th scope="row">September 2026</th><td>4</td><td>1</td>', participants)


async def test_the_overview_is_linked_for_staff_and_admins(client, db):
    await signed_in_as(client, db, "staff")
    assert 'href="/admin/overview"' in (await client.get("/me")).text
    client.cookies.clear()
    await signed_in_as(client, db, "admin")
    assert 'href="/admin/overview"' in (await client.get("/admin")).text
