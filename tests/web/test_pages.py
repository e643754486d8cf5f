"""The HTML pages without JavaScript: every form posts, redirects with 303 or comes back
with its errors next to the fields; languages; CSRF; safe headers."""

from __future__ import annotations

import re

import asyncpg
import httpx

from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.test_markdown import exploding_table
from tests.web.forms import another_browser, sign_in, sign_up, submit


async def test_front_page_is_danish_by_default_and_english_on_request(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn", title="En bedre havnefront")
    danish = await client.get("/")
    assert danish.status_code == 200
    assert '<html lang="da">' in danish.text
    assert "Gå til indhold" in danish.text and "Tilgængelighedserklæring" in danish.text
    assert "En bedre havnefront" in danish.text
    # The next promotion, as a Danish reader writes dates.
    assert re.search(r"sendes videre til forvaltningen \d{1,2}\. \w+ \d{4} kl\. 00\.05",
                     danish.text)

    english = await another_browser(client).get(
        "/", headers={"Accept-Language": "en-GB,en;q=0.9,da;q=0.5"})
    assert '<html lang="en">' in english.text
    assert "Skip to content" in english.text and "Accessibility statement" in english.text


async def test_language_switcher_sets_a_cookie_and_goes_back(client: httpx.AsyncClient) -> None:
    response = await submit(client, "/language", {"lang": "en", "next": "/signin?next=/me"})
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/me"
    assert "lang=en" in response.headers["set-cookie"]
    page = await client.get("/signin")
    assert '<html lang="en">' in page.text and "<h1>Sign in</h1>" in page.text
    # A "next" that leads off the site is not followed.
    away = await submit(client, "/language", {"lang": "da", "next": "//evil.example/"})
    assert away.headers["location"] == "/"


async def test_a_signed_in_choice_of_language_also_sets_the_email_language(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await sign_up(client, "sprog@example.dk")
    await submit(client, "/language", {"lang": "en", "next": "/"})
    language = await db.fetchval(
        "SELECT s.language FROM notification_settings s JOIN users u ON u.id = s.user_id "
        "WHERE u.email = 'sprog@example.dk'")
    assert language == "en"


async def test_pages_keep_the_strict_policy_no_inline_script_or_style(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    for path in ("/", "/purposes/havn", "/signin", "/signup"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), path
        assert not re.search(r"\sstyle=", response.text), path
        assert "<style" not in response.text, path
        assert response.text.count("<h1") == 1, path


async def test_a_form_post_without_the_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/signup")
    response = await client.post("/signup", data={"email": "a@example.dk",
                                                  "display_name": "A", "password": "x" * 12})
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "Ingen adgang" in response.text


async def test_sign_up_shows_every_error_next_to_its_field(client: httpx.AsyncClient) -> None:
    response = await submit(client, "/signup", {"email": "no-at-sign", "display_name": "",
                                                "password": "short", "next": "/"})
    assert response.status_code == 400
    page = response.text
    assert 'class="error-summary"' in page and 'href="#f-password"' in page
    for field in ("email", "display_name", "password"):
        assert f'id="f-{field}-error"' in page
        assert re.search(rf'id="f-{field}"[^>]*aria-describedby="[^"]*f-{field}-error"[^>]*'
                         rf'aria-invalid="true"', page), field
    assert "Skal være mindst 10 tegn." in page
    assert 'value="short"' not in page  # a password is never sent back


async def test_sign_up_signs_in_with_a_safe_cookie(client: httpx.AsyncClient) -> None:
    response = await sign_up(client, "anna@example.dk", "Anna Jensen")
    cookie = response.headers["set-cookie"]
    assert "ideabox_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    mine = await client.get("/me")
    assert mine.status_code == 200 and "Anna Jensen" in mine.text
    # The same address again is refused, on the e-mail field.
    again = await submit(another_browser(client), "/signup", {
        "email": "ANNA@example.dk", "display_name": "Anna 2", "password": "x" * 12})
    assert again.status_code == 409
    assert 'id="f-email-error"' in again.text
    assert "Der findes allerede en profil med denne e-mailadresse" in again.text


async def test_sign_in_and_out(client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_user(db, email="bo@example.dk", display_name="Bo")
    wrong = await submit(client, "/signin", {"email": "bo@example.dk", "password": "nope",
                                             "next": "/"})
    assert wrong.status_code == 401
    assert "Forkert e-mail eller adgangskode" in wrong.text
    assert 'value="bo@example.dk"' in wrong.text

    done = await submit(client, "/signin", {"email": "bo@example.dk",
                                            "password": "correct horse battery",
                                            "next": "/me"})
    assert done.status_code == 303 and done.headers["location"] == "/me"
    assert (await client.get("/me")).status_code == 200
    out = await submit(client, "/signout", {})
    assert out.status_code == 303
    assert (await client.get("/me")).headers["location"] == "/signin?next=/me"


async def test_a_page_that_needs_a_sign_in_sends_you_there(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/me"


async def test_post_an_idea_vote_and_take_it_back_without_javascript(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn", title="En bedre havnefront")
    await sign_up(client, "anna@example.dk")

    bad = await submit(client, "/purposes/havn/ideas", {"title": "Kort", "body": ""})
    assert bad.status_code == 400
    assert 'id="f-title-error"' in bad.text and 'id="f-body-error"' in bad.text
    assert 'value="Kort"' in bad.text  # what was typed stays

    posted = await submit(client, "/purposes/havn/ideas",
                          {"title": "Flere bænke ved vandet", "body": "Med *udsigt*."})
    assert posted.status_code == 303
    idea_url = posted.headers["location"]
    page = await client.get(idea_url)
    assert "<h1 id=\"idea-title\">Flere bænke ved vandet</h1>" in page.text
    assert "<em>udsigt</em>" in page.text
    assert 'aria-pressed="false"' in page.text

    voted = await submit(client, f"{idea_url}/vote", {"action": "cast"})
    assert voted.status_code == 303
    page = await client.get(idea_url)
    assert 'aria-pressed="true"' in page.text
    assert '<span class="vote__number">1</span>' in page.text
    assert "Fjern din stemme" in page.text

    await submit(client, f"{idea_url}/vote", {"action": "retract"})
    page = await client.get(idea_url)
    assert '<span class="vote__number">0</span>' in page.text


async def test_control_characters_are_marked_next_to_their_field(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk")
    refused = await submit(client, "/purposes/havn/ideas",
                           {"title": "Flere bænke\x1b ved vandet", "body": "Tekst."})
    assert refused.status_code == 400
    assert re.search(r'id="f-title-error"[^>]*>.*må ikke indeholde kontroltegn', refused.text,
                     re.S)
    # A textarea's line ends (CRLF) and tabs are the writer's own.
    posted = await submit(client, "/purposes/havn/ideas",
                          {"title": "Flere bænke ved vandet", "body": "En\r\nto\tog tre."})
    assert posted.status_code == 303


async def test_markdown_too_large_to_show_is_marked_next_to_its_field(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk")
    table = exploding_table(5_000)
    refused = await submit(client, "/purposes/havn/ideas",
                           {"title": "Flere bænke ved vandet", "body": table})
    assert refused.status_code == 400
    message = "bliver for stor, når den vises; gør den kortere eller tabellerne mindre"
    assert re.search(rf'id="f-body-error"[^>]*>.*{message}', refused.text, re.S)
    posted = await submit(client, "/purposes/havn/ideas",
                          {"title": "Flere bænke ved vandet", "body": "Tekst."})
    url = posted.headers["location"]
    comment = await submit(client, f"{url}/comments", {"body": table})
    assert comment.status_code == 400
    assert re.search(rf'id="f-body-error"[^>]*>.*{message}', comment.text, re.S)


async def test_vote_with_htmx_answers_the_box_and_the_announcement(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    purpose = await make_purpose(db, slug="havn")
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug, title="Badezone i havnen")
    await sign_up(client, "voter@example.dk")
    response = await submit(client, f"/ideas/{idea['id']}/vote", {"action": "cast"},
                            headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="vote-{idea["id"]}"' in response.text
    assert 'aria-pressed="true"' in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text
    assert "Du har stemt. Idéen har nu 1 stemmer." in response.text


async def test_similar_ideas_follow_the_title_being_typed(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    purpose = await make_purpose(db, slug="trafik")
    _, token = await make_user(db)
    await post_idea(client, token, purpose.slug, title="Flere cykelstier i byen")
    await post_idea(client, token, purpose.slug, title="Billigere busbilletter")
    response = await client.get("/purposes/trafik/similar", params={"title": "cykelst"})
    assert response.status_code == 200
    assert "Flere cykelstier i byen" in response.text
    assert "Billigere busbilletter" not in response.text
    nothing = await client.get("/purposes/trafik/similar", params={"title": "x & | ! :*"})
    assert nothing.status_code == 200 and "<li>" not in nothing.text


async def test_sorting_search_and_pagination(client: httpx.AsyncClient,
                                             db: asyncpg.Connection) -> None:
    purpose = await make_purpose(db, slug="havn")
    _, token = await make_user(db)
    for n in range(23):
        await post_idea(client, token, purpose.slug, title=f"Idé om havnen nummer {n}")
    first = await client.get("/purposes/havn?sort=new")
    assert '<a href="/purposes/havn?sort=new" aria-current="page">Nyeste</a>' in first.text
    assert "nummer 22" in first.text and "nummer 2<" not in first.text
    next_link = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert next_link
    second = await client.get(next_link.group(1).replace("&amp;", "&"))
    assert "nummer 2<" in second.text and "nummer 22" not in second.text
    found = await client.get("/purposes/havn", params={"q": "nummer 7"})
    assert "nummer 7<" in found.text


async def test_comment_reply_edit_and_delete(client: httpx.AsyncClient,
                                             db: asyncpg.Connection) -> None:
    purpose = await make_purpose(db, slug="havn")
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    url = f"/ideas/{idea['id']}"
    await sign_up(client, "anna@example.dk", "Anna")

    empty = await submit(client, f"{url}/comments", {"body": "  "})
    assert empty.status_code == 400 and 'id="f-body-error"' in empty.text

    added = await submit(client, f"{url}/comments", {"body": "God idé!"})
    assert added.status_code == 303
    comment_id = int(added.headers["location"].rsplit("comment-", 1)[1])
    reply = await submit(client, f"{url}/comments", {"body": "Enig.",
                                                     "parent_id": str(comment_id)})
    assert reply.status_code == 303
    page = (await client.get(url)).text
    assert "God idé!" in page and "Enig." in page
    assert 'class="thread thread--replies"' in page

    edited = await submit(client, f"/comments/{comment_id}/edit", {"body": "Rigtig god idé!"})
    assert edited.status_code == 303
    assert "Rigtig god idé!" in (await client.get(url)).text

    other = another_browser(client)
    await sign_up(other, "bo@example.dk", "Bo")
    refused = await submit(other, f"/comments/{comment_id}/delete", {})
    assert refused.status_code == 403

    deleted = await submit(client, f"/comments/{comment_id}/delete", {})
    assert deleted.status_code == 303
    page = (await client.get(url)).text
    assert "Rigtig god idé!" not in page and "Slettet kommentar" in page and "Enig." in page


async def test_my_data_and_deleting_my_account(client: httpx.AsyncClient) -> None:
    await sign_up(client, "anna@example.dk", "Anna")
    data = await client.get("/me/data")
    assert data.status_code == 200
    assert "attachment" in data.headers["content-disposition"]
    assert data.json()["profile"]["email"] == "anna@example.dk"

    unconfirmed = await submit(client, "/me/delete", {})
    assert unconfirmed.status_code == 400 and 'id="f-confirm-error"' in unconfirmed.text
    deleted = await submit(client, "/me/delete", {"confirm": "yes"})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/goodbye"
    assert (await client.get("/me")).status_code == 303
    assert "Din profil er slettet" in (await client.get("/goodbye")).text


async def test_administration_is_for_admins(client: httpx.AsyncClient,
                                            db: asyncpg.Connection) -> None:
    await sign_up(client, "anna@example.dk")
    for path in ("/admin", "/admin/users", "/admin/purposes/new"):
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "Ingen adgang" in response.text


async def test_admin_creates_and_edits_a_purpose_and_sets_a_role(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_user(db, role="admin", email="admin@example.dk")
    resident, _ = await make_user(db, email="bo@example.dk", display_name="Bo Berg")
    await sign_in(client, "admin@example.dk")

    bad = await submit(client, "/admin/purposes/new", {
        "slug": "Not A Slug", "title": "Ha", "statement": "", "audience": "everyone",
        "promote_top_n": "0", "min_votes": "1", "timezone": "Europe/Copenhagen"})
    assert bad.status_code == 400
    for field in ("slug", "title", "statement", "promote_top_n"):
        assert f'id="f-{field}-error"' in bad.text, field

    made = await submit(client, "/admin/purposes/new", {
        "slug": "bedre-havn", "title": "En bedre havnefront", "statement": "Hvad mangler?",
        "audience": "everyone", "promote_top_n": "3", "min_votes": "1",
        "timezone": "Europe/Copenhagen"})
    assert made.status_code == 303 and made.headers["location"] == "/purposes/bedre-havn"
    taken = await submit(client, "/admin/purposes/new", {
        "slug": "bedre-havn", "title": "Igen", "statement": "x", "audience": "everyone",
        "promote_top_n": "3", "min_votes": "1", "timezone": "Europe/Copenhagen"})
    assert taken.status_code == 409 and 'id="f-slug-error"' in taken.text

    edit = await submit(client, "/admin/purposes/bedre-havn/edit", {
        "title": "Den bedste havnefront", "statement": "Hvad mangler?", "audience": "staff",
        "promote_top_n": "5", "min_votes": "2", "timezone": "Europe/Copenhagen"})
    assert edit.status_code == 303
    assert "Den bedste havnefront" in (await client.get("/purposes/bedre-havn")).text

    users = await client.get("/admin/users", params={"q": "berg"})
    assert "Bo Berg" in users.text and "admin@example.dk" not in users.text
    changed = await submit(client, f"/admin/users/{resident.id}/role", {"role": "staff"})
    assert changed.status_code == 303
    assert await db.fetchval("SELECT role FROM users WHERE id = $1", resident.id) == "staff"


async def test_unknown_idea_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/ideas/999999")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Siden findes ikke" in response.text


async def test_bearer_api_still_answers_json(client: httpx.AsyncClient,
                                             db: asyncpg.Connection) -> None:
    _, token = await make_user(db)
    response = await client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/json")
