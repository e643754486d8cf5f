"""The months the golden files were made from, built through the API with fixed times, so
every run makes the same ideas (same ids: each test has a fresh database), the same
votes and the same promotion."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import httpx

from tests.factories import backdate_idea, bearer, make_assisted_person, make_user, post_idea
from tests.promotion.scene import Scene, cph

MONTH = "2026-09"


async def _comment(scene: Scene, idea_id: int, body: str) -> None:
    response = await scene.client.post(f"/api/v1/ideas/{idea_id}/comments",
                                       headers=bearer(scene.author_token),
                                       json={"body": body, "parent_id": None})
    assert response.status_code == 201, response.text


async def _promote(scene: Scene) -> None:
    response = await scene.promote(MONTH)
    assert response.status_code == 200, response.text


async def empty(client: httpx.AsyncClient, db: asyncpg.Connection) -> str:
    """Promoted, and nothing qualified."""
    scene = await Scene(client, db).build(slug="tomt", voters=0)
    await scene.idea("Ingen har stemt på denne", cph(2026, 9, 2, 9))
    await _promote(scene)
    return scene.slug


async def one(client: httpx.AsyncClient, db: asyncpg.Connection) -> str:
    """One idea: votes in and after the month, comments, an answer with quotes, commas and
    a line break (CSV quoting)."""
    scene = await Scene(client, db).build(slug="havnen", voters=4)
    idea = await scene.idea("Bænke langs havnefronten", cph(2026, 9, 2, 10, 15))
    await scene.votes(idea, range(3), cph(2026, 9, 10))
    await _comment(scene, idea, "Gerne med ryglæn.")
    await _comment(scene, idea, "Og en skraldespand.")
    await _promote(scene)
    await scene.votes(idea, [3], cph(2026, 10, 5))
    answered = await scene.respond(idea, "accepted",
                                   'Vi sætter 4 bænke op, "som lovet", til foråret.\n'
                                   "Tak for idéen.")
    assert answered.status_code == 201
    return scene.slug


async def many(client: httpx.AsyncClient, db: asyncpg.Connection) -> str:
    """Ten ideas, eight promoted; some answered, some twice."""
    scene = await Scene(client, db).build(slug="mange", voters=10, promote_top_n=8)
    ideas = []
    for n in range(10):
        idea = await scene.idea(f"Idé nummer {n + 1} til bydelen", cph(2026, 9, 1 + n, 8, 30))
        await scene.votes(idea, range(n + 1), cph(2026, 9, 20))
        ideas.append(idea)
    await _comment(scene, ideas[9], "Den er god.")
    await _promote(scene)
    assert (await scene.respond(ideas[9], "under_review", "Vi undersøger det.")).status_code == 201
    assert (await scene.respond(ideas[9], "accepted", "Det bliver til noget.")).status_code == 201
    assert (await scene.respond(ideas[5], "rejected", "Det er der ikke råd til.")).status_code \
        == 201
    return scene.slug


async def danish(client: httpx.AsyncClient, db: asyncpg.Connection) -> str:
    """Danish letters everywhere a person writes."""
    scene = await Scene(client, db).build(slug="aebler", voters=2, author="Søren Ærø Østergård")
    idea = await scene.idea("Æbler og pærer på Ørstedsvej og i Åbyhøj", cph(2026, 9, 15, 16, 45))
    await scene.votes(idea, range(2), cph(2026, 9, 20))
    await _promote(scene)
    answered = await scene.respond(idea, "under_review",
                                   "Vi kigger på æbletræerne – og på ÅEN ved Ølstykke.")
    assert answered.status_code == 201
    return scene.slug


async def formulas(client: httpx.AsyncClient, db: asyncpg.Connection) -> str:
    """Titles, an author and a response a spreadsheet would take for formulas."""
    scene = await Scene(client, db).build(slug="formler", voters=5, promote_top_n=5)
    _, sneaky = await make_user(db, display_name="@borger")
    titles = ['=HYPERLINK("https://example.com","Klik her")', "+1 flere bænke",
              "-2 parkeringspladser", "@x på torvet i byen", "Helt almindelig titel"]
    ideas = []
    for n, title in enumerate(titles):
        idea = await scene.idea(title, cph(2026, 9, 3, 12 + n), token=sneaky)
        await scene.votes(idea, range(5 - n), cph(2026, 9, 20))
        ideas.append(idea)
    await _promote(scene)
    answered = await scene.respond(ideas[0], "rejected", "- punkt et\n- =SUM(A1:A2)")
    assert answered.status_code == 201
    return scene.slug


async def assisted(client: httpx.AsyncClient, db: asyncpg.Connection) -> str:
    """One idea posted for its author by staff (assisted participation), one the author's
    own: the column tells them apart."""
    scene = await Scene(client, db).build(slug="hjaelp", voters=3, promote_top_n=2)
    staff, staff_token = await make_user(db, role="staff", display_name="Borgerservice")
    person = await make_assisted_person(db, staff, display_name="Karen Hansen")
    helped = (await post_idea(client, staff_token, scene.slug, title="Bænke ved busstoppestedet",
                              on_behalf_of=person.id))["id"]
    await backdate_idea(db, helped, cph(2026, 9, 4, 11))
    own = await scene.idea("Flere skraldespande i parken", cph(2026, 9, 5, 9))
    await scene.votes(helped, range(3), cph(2026, 9, 12))
    await scene.votes(own, range(2), cph(2026, 9, 13))
    await _promote(scene)
    return scene.slug


async def categories(client: httpx.AsyncClient, db: asyncpg.Connection) -> str:
    """Ideas filed under the purpose's categories (one retired since, one renamed since)
    and one filed under none: the column holds the category's slug."""
    scene = await Scene(client, db).build(slug="kategorier", voters=3, promote_top_n=3)
    admin = bearer(scene.admin_token)
    for slug, da, en in [("trafik", "Trafik", "Traffic"),
                         ("groenne-omraader", "Grønne områder", "Green spaces")]:
        made = await client.post(f"/api/v1/purposes/{scene.slug}/categories", headers=admin,
                                 json={"slug": slug, "name_da": da, "name_en": en})
        assert made.status_code == 201, made.text
    filed = {}
    for n, (title, category) in enumerate([("Cykelsti langs åen", "trafik"),
                                           ("Flere træer på torvet", "groenne-omraader"),
                                           ("Længere åbent på biblioteket", None)]):
        idea = await scene.idea(title, cph(2026, 9, 6 + n, 10))
        if category is not None:
            filed_under = await client.patch(f"/api/v1/ideas/{idea}", headers=admin,
                                             json={"category": category})
            assert filed_under.status_code == 200, filed_under.text
        await scene.votes(idea, range(3 - n), cph(2026, 9, 14))
        filed[title] = idea
    await _promote(scene)
    retired = await client.patch(f"/api/v1/purposes/{scene.slug}/categories/trafik",
                                 headers=admin, json={"retired": True})
    renamed = await client.patch(f"/api/v1/purposes/{scene.slug}/categories/groenne-omraader",
                                 headers=admin, json={"name_da": "Parker og grønne områder"})
    assert (retired.status_code, renamed.status_code) == (200, 200)
    return scene.slug


Scenario = Callable[[httpx.AsyncClient, asyncpg.Connection], Awaitable[str]]
SCENARIOS: dict[str, Scenario] = {"empty": empty, "one": one, "many": many, "danish": danish,
                                  "formulas": formulas, "assisted": assisted,
                                  "categories": categories}
