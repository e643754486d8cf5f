"""Per kind of notification, in the app and by e-mail: chosen through the API and on a
page of its own (linked from my page), in Danish and English; the one-click unsubscribe
address needs no CSRF token even with a session, every other form still does."""

from __future__ import annotations

from ideabox.notifications.unsubscribe import make_token
from tests.factories import bearer, make_purpose, make_user
from tests.web.forms import sign_in, submit

URL = "/api/v1/me/notification-preferences"
ALL_ON = {"in_app": True, "email": True}


async def test_every_kind_is_on_until_chosen_and_a_put_changes_only_what_it_names(client, db):
    _, token = await make_user(db)
    got = await client.get(URL, headers=bearer(token))
    assert got.status_code == 200
    assert got.json() == {"replies": ALL_ON, "comments": ALL_ON, "status": ALL_ON,
                          "decisions": ALL_ON, "reminders": ALL_ON,
                          "digest": {"in_app": False, "email": True}}
    put = await client.put(URL, headers=bearer(token),
                           json={"replies": {"email": False}, "digest": {"email": False}})
    assert put.status_code == 200, put.text
    assert put.json()["replies"] == {"in_app": True, "email": False}
    assert put.json()["digest"] == {"in_app": False, "email": False}
    assert put.json()["comments"] == ALL_ON
    assert (await client.get(URL, headers=bearer(token))).json() == put.json()


async def test_bad_preferences_are_refused_naming_the_field(client, db):
    _, token = await make_user(db)
    unknown = await client.put(URL, headers=bearer(token), json={"gossip": {"email": False}})
    assert unknown.status_code == 400
    assert "gossip" in unknown.text
    wrong = await client.put(URL, headers=bearer(token), json={"replies": {"email": "nej"}})
    assert wrong.status_code == 400
    assert "email" in wrong.text
    assert (await client.get(URL)).status_code == 401
    assert await db.fetchval("SELECT count(*) FROM notification_preferences") == 0


async def test_the_page_shows_and_keeps_the_choices_in_danish_and_english(client, db):
    anna, token = await make_user(db, email="anna@example.dk")
    await client.put(URL, headers=bearer(token), json={"status": {"in_app": False}})
    await sign_in(client, "anna@example.dk")
    me = await client.get("/me")
    assert 'href="/me/notification-preferences"' in me.text

    page = await client.get("/me/notification-preferences")
    assert page.status_code == 200
    assert "<h1>Det får jeg besked om</h1>" in page.text
    assert 'name="status-in_app">' in page.text          # unticked
    assert 'name="replies-in_app" checked>' in page.text
    assert 'name="digest-in_app"' not in page.text       # the digest is mail only
    english = await client.get("/me/notification-preferences",
                               headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text
    assert "<h1>What I am told</h1>" in english.text
    assert "<legend>Replies to my comments</legend>" in english.text

    # Only the boxes ticked are on: here replies in the app, and the digest.
    saved = await submit(client, "/me/notification-preferences",
                         {"replies-in_app": "on", "digest-email": "on"})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/me/notification-preferences?saved=1"
    chosen = (await client.get(URL, headers=bearer(token))).json()
    assert chosen["replies"] == {"in_app": True, "email": False}
    assert chosen["status"] == {"in_app": False, "email": False}
    assert chosen["digest"] == {"in_app": False, "email": True}
    shown = await client.get("/me/notification-preferences?saved=1")
    assert "Dine valg er gemt." in shown.text
    assert anna.id


async def test_the_unsubscribe_post_needs_no_csrf_token_even_signed_in(client, db, app):
    anna, token = await make_user(db, email="anna@example.dk")
    await sign_in(client, "anna@example.dk")
    unsubscribe = make_token(app.state.settings.secret_key, anna.id, "digest")
    # The session cookie goes along, the CSRF token does not: this address is exempt.
    done = await client.post(f"/unsubscribe/{unsubscribe}",
                             data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200, done.text
    assert "Du får ikke længere e-mails om: det ugentlige overblik." in done.text
    assert (await client.get(URL, headers=bearer(token))).json()["digest"]["email"] is False
    # Every other form still needs its token.
    refused = await client.post("/me/notification-preferences", data={"digest-email": "on"})
    assert refused.status_code == 403
    assert (await client.get(URL, headers=bearer(token))).json()["digest"]["email"] is False


async def test_my_data_holds_my_choices_and_purposes_and_deleting_me_forgets_them(client, db):
    purpose = await make_purpose(db, slug="havn")
    anna, token = await make_user(db)
    await client.put(URL, headers=bearer(token), json={"digest": {"email": False}})
    await client.put(f"/api/v1/purposes/{purpose.slug}/follow", headers=bearer(token))
    data = (await client.get("/api/v1/me/export", headers=bearer(token))).json()
    assert data["notification_preferences"] == [{"topic": "digest", "in_app": True,
                                                 "email": False}]
    assert [f["purpose_slug"] for f in data["purpose_follows"]] == ["havn"]
    assert (await client.delete("/api/v1/me", headers=bearer(token))).status_code == 204
    for table in ("notification_preferences", "purpose_follows"):
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1",
                                 anna.id) == 0
