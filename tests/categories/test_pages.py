"""Categories in the browser, without JavaScript, in Danish and English: the
administration's page, choosing one when sharing and editing an idea, the filter on
the purpose's page, and the category on the cards and the idea's page."""

from __future__ import annotations

import re

from tests.categories.helpers import add_category
from tests.factories import bearer, make_purpose, make_user
from tests.web.forms import sign_in, submit

EN = {"Accept-Language": "en"}
BASE = "/admin/purposes/havnen/categories"


async def test_an_admin_keeps_the_categories_on_their_page(client, db):
    await make_purpose(db, slug="havnen")
    await make_user(db, role="admin", email="admin@kommune.dk")
    await sign_in(client, "admin@kommune.dk")

    empty = await client.get(BASE)
    assert empty.status_code == 200
    assert "Formålet har ingen kategorier endnu." in empty.text
    assert "Add a category" in (await client.get(BASE, headers=EN)).text

    refused = await submit(client, BASE, {"slug": "Ikke Gyldig", "name_da": "", "name_en": "X"})
    assert refused.status_code == 400
    assert 'id="f-slug-error"' in refused.text and 'id="f-name_da-error"' in refused.text
    assert await db.fetchval("SELECT count(*) FROM categories") == 0

    made = await submit(client, BASE, {"slug": "trafik", "name_da": "Trafik",
                                       "name_en": "Traffic", "department": "Teknik og Miljø"})
    assert made.status_code == 303
    assert made.headers["location"] == f"{BASE}?done=added#category-trafik"
    taken = await submit(client, BASE, {"slug": "trafik", "name_da": "Igen", "name_en": "Again"})
    assert taken.status_code == 409 and 'id="f-slug-error"' in taken.text

    shown = await client.get(f"{BASE}?done=added")
    assert "Kategorien er tilføjet." in shown.text
    assert "Behandles af Teknik og Miljø" in shown.text

    changed = await submit(client, f"{BASE}/trafik/edit", {"name_da": "Trafik og veje",
                                                           "name_en": "Traffic and roads",
                                                           "department": "", "position": "4"})
    assert changed.status_code == 303
    row = await db.fetchrow("SELECT name_da, department, position FROM categories")
    assert dict(row) == {"name_da": "Trafik og veje", "department": None, "position": 4}
    bad = await submit(client, f"{BASE}/trafik/edit", {"name_da": "", "name_en": "X",
                                                       "position": "-3"})
    assert bad.status_code == 400
    assert 'id="f-trafik-name_da-error"' in bad.text
    assert 'id="f-trafik-position-error"' in bad.text

    retired = await submit(client, f"{BASE}/trafik/retire", {"retired": "true"})
    assert retired.status_code == 303
    assert await db.fetchval("SELECT retired_at IS NOT NULL FROM categories")
    assert "Tilbyd “Trafik og veje” igen" in (await client.get(BASE)).text
    await submit(client, f"{BASE}/trafik/retire", {"retired": "false"})
    assert not await db.fetchval("SELECT retired_at IS NOT NULL FROM categories")

    deleted = await submit(client, f"{BASE}/trafik/delete", {})
    assert deleted.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM categories") == 0


async def test_a_used_category_is_not_deleted_and_the_page_says_why(client, db):
    await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin", email="admin@kommune.dk")
    _, author = await make_user(db)
    await add_category(client, admin, "havnen", "trafik", "Trafik", "Traffic")
    await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(author),
                      json={"title": "Cykelsti langs vandet", "body": "Tak.",
                            "category": "trafik"})
    await sign_in(client, "admin@kommune.dk")
    refused = await submit(client, f"{BASE}/trafik/delete", {})
    assert refused.status_code == 409
    assert "Der er idéer i kategorien &#39;trafik&#39;; udfas den i stedet" in refused.text
    assert await db.fetchval("SELECT count(*) FROM categories") == 1


async def test_only_staff_and_admins_open_the_page(client, db):
    await make_purpose(db, slug="havnen")
    await make_user(db, email="borger@example.dk")
    await sign_in(client, "borger@example.dk")
    assert (await client.get(BASE)).status_code == 403
    assert (await submit(client, BASE, {"slug": "x", "name_da": "X",
                                        "name_en": "X"})).status_code == 403


async def test_an_author_files_an_idea_and_readers_filter_by_category(client, db):
    await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    await make_user(db, email="anna@example.dk")
    await add_category(client, admin, "havnen", "trafik", "Trafik", "Traffic")
    await add_category(client, admin, "havnen", "groent", "Grønne områder", "Green spaces")
    await add_category(client, admin, "havnen", "gammel", "Gammel", "Old")
    await client.patch("/api/v1/purposes/havnen/categories/gammel", headers=bearer(admin),
                       json={"retired": True})
    await sign_in(client, "anna@example.dk")

    form = await client.get("/purposes/havnen")
    assert '<select id="f-category" name="category"' in form.text
    assert '<option value="trafik">Trafik</option>' in form.text
    # A retired category is not offered, and without ideas it is no filter either.
    assert 'value="gammel"' not in form.text

    wrong = await submit(client, "/purposes/havnen/ideas", {
        "title": "Cykelsti langs vandet", "body": "Tak.", "category": "gammel"})
    assert wrong.status_code == 400
    assert 'id="f-category-error"' in wrong.text
    assert "udfaset og kan ikke længere vælges" in wrong.text

    posted = await submit(client, "/purposes/havnen/ideas", {
        "title": "Cykelsti langs vandet", "body": "Tak.", "category": "trafik"})
    assert posted.status_code == 303
    idea_url = posted.headers["location"]
    plain = await submit(client, "/purposes/havnen/ideas", {
        "title": "Bænke ved vandet", "body": "Tak.", "category": ""})
    assert plain.status_code == 303

    page = await client.get(idea_url)
    assert 'Kategori: <a class="category-tag" href="/purposes/havnen?category=trafik">' \
           'Trafik</a>' in page.text
    assert ">Traffic</a>" in (await client.get(idea_url, headers=EN)).text

    filtered = await client.get("/purposes/havnen", params={"category": "trafik"})
    assert filtered.status_code == 200
    assert "Cykelsti langs vandet" in filtered.text and "Bænke ved vandet" not in filtered.text
    assert '<option value="trafik" selected>' in filtered.text
    assert "Viser idéerne i kategorien “Trafik”." in filtered.text
    # The sort tabs keep the filter.
    assert 'href="/purposes/havnen?sort=new&amp;category=trafik"' in filtered.text
    both = await client.get("/purposes/havnen")
    assert "Cykelsti langs vandet" in both.text and "Bænke ved vandet" in both.text

    # Editing: another category, then none ("Ingen kategori" is the empty choice).
    idea_id = int(idea_url.rsplit("/", 1)[1])
    moved = await submit(client, f"{idea_url}/edit", {
        "title": "Cykelsti langs vandet", "body": "Tak.", "category": "groent"})
    assert moved.status_code == 303
    assert await db.fetchval("SELECT c.slug FROM ideas i JOIN categories c "
                             "ON c.id = i.category_id WHERE i.id = $1", idea_id) == "groent"
    cleared = await submit(client, f"{idea_url}/edit", {
        "title": "Cykelsti langs vandet", "body": "Tak.", "category": ""})
    assert cleared.status_code == 303
    assert await db.fetchval("SELECT category_id FROM ideas WHERE id = $1", idea_id) is None
    assert "category-tag" not in (await client.get(idea_url)).text


async def test_the_card_names_the_category_in_the_readers_language(client, db):
    await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    await add_category(client, admin, "havnen", "groent", "Grønne områder", "Green spaces")
    await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(author),
                      json={"title": "Flere træer ved vandet", "body": "Tak.",
                            "category": "groent"})
    danish = await client.get("/purposes/havnen")
    english = await client.get("/purposes/havnen", headers=EN)
    card = re.compile(r'<article class="idea-card">.*?</article>', re.S)
    assert "Grønne områder" in card.search(danish.text).group(0)
    assert "Green spaces" in card.search(english.text).group(0)
    unknown = await client.get("/purposes/havnen", params={"category": "findes-ikke"})
    assert unknown.status_code == 400
