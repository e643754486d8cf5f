"""E-mail confirmation (double opt-in), through the JSON API and the pages, with the mail
read from the outbox as a person would read it."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from ideabox.platform.i18n import LANG_COOKIE
from tests.accounts.test_api import PASSWORD, sign_up
from tests.conftest import NOW
from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.mailbox import app_of, latest_link, outbox, token_of
from tests.web.forms import submit

API = "/api/v1"


async def _signed_up(client: httpx.AsyncClient, email: str = "anna@example.dk",
                     **headers: str) -> tuple[dict, str]:
    """A new account through the API and its bearer token, its address not confirmed."""
    created = await sign_up(client, email=email, **headers)
    assert created.status_code == 201, created.text
    token = await client.post(f"{API}/tokens", json={"email": email, "password": PASSWORD})
    assert token.status_code == 201, token.text
    return created.json(), token.json()["token"]


async def _confirm(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(f"{API}/email-verifications", json={"token": token})


async def test_sign_up_mails_a_link_in_danish_with_text_and_html(client):
    me, _ = await _signed_up(client)
    assert me["email_verified"] is False
    [mail] = await outbox(app_of(client))
    assert mail["To"] == "anna@example.dk"
    assert mail["Subject"] == "Bekræft din e-mailadresse til ideabox"
    assert mail["Content-Language"] == "da"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    link = await latest_link(app_of(client), "anna@example.dk")
    assert link.startswith("http://127.0.0.1:8000/verify-email?token=ibx_")
    assert "Hej Anna Jensen" in text and link in text
    assert 'lang="da"' in html and link.replace("&", "&amp;") in html


async def test_the_mail_is_in_english_for_an_english_reader(client):
    await _signed_up(client, **{"Accept-Language": "en-GB,en;q=0.9"})
    [mail] = await outbox(app_of(client))
    assert mail["Subject"] == "Confirm your e-mail address for ideabox"
    assert "Hello Anna Jensen" in mail.get_body(preferencelist=("plain",)).get_content()


async def test_until_confirmed_a_person_reads_and_follows_but_cannot_vote_post_or_comment(
        client, db):
    purpose = await make_purpose(db)
    _, author_token = await make_user(db)
    idea = await post_idea(client, author_token, purpose.slug)
    _, token = await _signed_up(client)
    headers = bearer(token)

    assert (await client.get(f"{API}/ideas/{idea['id']}", headers=headers)).status_code == 200
    followed = await client.put(f"{API}/ideas/{idea['id']}/follow", headers=headers)
    assert followed.status_code == 200, followed.text
    for refused in (
        await client.put(f"{API}/ideas/{idea['id']}/vote", headers=headers),
        await client.post(f"{API}/purposes/{purpose.slug}/ideas", headers=headers,
                          json={"title": "Flere bænke", "body": "Ved åen."}),
        await client.post(f"{API}/ideas/{idea['id']}/comments", headers=headers,
                          json={"body": "Godt forslag"}),
    ):
        assert refused.status_code == 403, refused.text
        assert refused.json()["extra"] == {"code": "verify_email_first"}
        assert "Confirm your e-mail address first" in refused.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM votes") == 0

    link = await latest_link(app_of(client), "anna@example.dk")
    confirmed = await _confirm(client, token_of(link))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["email_verified"] is True
    assert (await client.get(f"{API}/me", headers=headers)).json()["email_verified"] is True
    voted = await client.put(f"{API}/ideas/{idea['id']}/vote", headers=headers)
    assert voted.status_code == 200 and voted.json() == {"voted": True, "votes": 1}


async def test_a_link_works_once(client):
    await _signed_up(client)
    token = token_of(await latest_link(app_of(client), "anna@example.dk"))
    assert (await _confirm(client, token)).status_code == 200
    again = await _confirm(client, token)
    assert again.status_code == 409
    assert again.json()["extra"] == {"code": "verification_already_done"}


async def test_unknown_and_malformed_links_are_400_naming_the_token(client):
    for token in ("ibx_not-a-token", "", "x" * 300):
        refused = await _confirm(client, token)
        assert refused.status_code == 400, refused.text
        [problem] = refused.json()["extra"]
        assert problem["key"] == "token" and problem["code"] == "verification_unknown"


async def test_a_link_expires_after_48_hours(client, clock):
    await _signed_up(client)
    token = token_of(await latest_link(app_of(client), "anna@example.dk"))
    clock.set(NOW + timedelta(hours=48))
    expired = await _confirm(client, token)
    assert expired.status_code == 400
    [problem] = expired.json()["extra"]
    assert problem["code"] == "verification_expired"
    assert "48 hours" in problem["message"]


async def test_a_new_link_can_be_asked_for_and_works(client, clock):
    _, token = await _signed_up(client)
    first = token_of(await latest_link(app_of(client), "anna@example.dk"))
    clock.set(NOW + timedelta(hours=50))  # the first has expired
    sent = await client.post(f"{API}/me/email-verification", headers=bearer(token))
    assert sent.status_code == 202, sent.text
    assert sent.json() == {"email": "anna@example.dk", "valid_hours": 48}
    second = token_of(await latest_link(app_of(client), "anna@example.dk"))
    assert second != first
    assert (await _confirm(client, first)).status_code == 400
    assert (await _confirm(client, second)).status_code == 200
    again = await client.post(f"{API}/me/email-verification", headers=bearer(token))
    assert again.status_code == 409
    assert again.json()["extra"] == {"code": "verification_already_done"}


async def test_asking_for_links_is_rate_limited(client):
    _, token = await _signed_up(client)
    answers = [(await client.post(f"{API}/me/email-verification",
                                  headers=bearer(token))).status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]
    assert len(await outbox(app_of(client))) == 6  # the sign-up's and five more


async def test_a_link_for_an_address_the_account_no_longer_has_confirms_nothing(client, db):
    me, _ = await _signed_up(client)
    token = token_of(await latest_link(app_of(client), "anna@example.dk"))
    await db.execute("UPDATE users SET email = 'anna@andetsted.dk' WHERE id = $1", me["id"])
    refused = await _confirm(client, token)
    assert refused.status_code == 400
    assert refused.json()["extra"][0]["code"] == "verification_stale"


async def test_a_sign_up_that_fails_mails_nothing(client):
    await _signed_up(client)
    taken = await sign_up(client, email="anna@example.dk")
    assert taken.status_code == 409
    assert len(await outbox(app_of(client))) == 1


async def test_the_link_page_asks_for_one_click_and_fetching_it_confirms_nothing(client, db):
    me, _ = await _signed_up(client)
    link = await latest_link(app_of(client), "anna@example.dk")
    token = token_of(link)
    for _ in range(3):  # a mail scanner fetching the link, and the person opening it
        shown = await client.get(f"/verify-email?token={token}")
        assert shown.status_code == 200
        assert 'action="/verify-email"' in shown.text and "Bekræft min e-mailadresse" in shown.text
    assert await db.fetchval("SELECT email_verified_at FROM users WHERE id = $1",
                             me["id"]) is None
    pressed = await submit(client, "/verify-email", {"token": token})
    assert pressed.status_code == 200
    assert "Din e-mailadresse er bekræftet" in pressed.text
    assert await db.fetchval("SELECT email_verified_via FROM users WHERE id = $1",
                             me["id"]) == "link"
    used = await submit(client, "/verify-email", {"token": "ibx_nope"})
    assert used.status_code == 400
    assert "ikke et bekræftelseslink, vi har sendt" in used.text


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_pages_show_a_banner_with_a_resend_button_until_confirmed(client, lang):
    client.cookies.set(LANG_COOKIE, lang)
    signed_up = await submit(client, "/signup", {"email": "bo@example.dk",
                                                 "display_name": "Bo", "password": PASSWORD,
                                                 "next": "/"})
    assert signed_up.status_code == 303
    front = await client.get("/")
    banner = {"da": "Bekræft din e-mail", "en": "Confirm your email"}[lang]
    assert banner in front.text and 'action="/me/email-verification"' in front.text
    resent = await submit(client, "/me/email-verification", {"next": "/"})
    assert resent.status_code == 200
    assert "bo@example.dk" in resent.text
    mails = [m for m in await outbox(app_of(client)) if m["To"] == "bo@example.dk"]
    assert len(mails) == 2
    token = token_of(await latest_link(app_of(client), "bo@example.dk"))
    assert (await submit(client, "/verify-email", {"token": token})).status_code == 200
    assert banner not in (await client.get("/")).text


async def test_made_by_the_command_and_the_factories_a_person_is_verified(db):
    viewer, _ = await make_user(db)
    assert viewer.verified
    unconfirmed, _ = await make_user(db, verified=False)
    assert not unconfirmed.verified
