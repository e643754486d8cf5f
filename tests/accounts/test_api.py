"""The accounts API over HTTP: sign-up, tokens, the browser session, roles, CSRF, rate
limits, the GDPR endpoints, and sign-in while Redis is down."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.middleware.csrf import generate_csrf_token

from ideabox.accounts.tokens import token_hash
from ideabox.http.app import create_app
from ideabox.platform.clock import FrozenClock
from ideabox.platform.embedded import EmbeddedRedis
from ideabox.platform.settings import Settings
from tests.conftest import NOW, SECRET, running, serving
from tests.factories import DEFAULT_PASSWORD, make_purpose, make_user, post_idea, vote_as

API = "/api/v1"
PASSWORD = "et langt kodeord"
CSRF_COOKIE = "ideabox_csrf"
SESSION_COOKIE = "ideabox_session"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def from_address(address: str) -> dict[str, str]:
    # The test client's peer, 127.0.0.1, is a trusted proxy, so this is believed.
    return {"X-Forwarded-For": address}


async def sign_up(client: httpx.AsyncClient, email: str = "anna@example.dk",
                  password: str = PASSWORD, display_name: str = "Anna Jensen",
                  **headers: str) -> httpx.Response:
    return await client.post(f"{API}/users", headers=headers, json={
        "email": email, "password": password, "display_name": display_name})


async def csrf_token(client: httpx.AsyncClient) -> str:
    """What a browser has after loading a page with a form: the CSRF cookie, whose value
    it sends back in the header."""
    if CSRF_COOKIE not in client.cookies:
        client.cookies.set(CSRF_COOKIE, generate_csrf_token(SECRET))
    return client.cookies[CSRF_COOKIE]


async def sign_in(client: httpx.AsyncClient, email: str = "anna@example.dk",
                  password: str = PASSWORD, **headers: str) -> httpx.Response:
    headers["x-csrftoken"] = await csrf_token(client)
    return await client.post(f"{API}/session", headers=headers,
                             json={"email": email, "password": password})


async def get_token(client: httpx.AsyncClient, email: str = "anna@example.dk",
                    password: str = PASSWORD, **headers: str) -> httpx.Response:
    return await client.post(f"{API}/tokens", headers=headers,
                             json={"email": email, "password": password})


async def me_with_cookie(app: Litestar, session: str) -> httpx.Response:
    """GET /me from a browser that sends nothing but this session cookie."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        return await other.get(f"{API}/me", headers={"Cookie": f"{SESSION_COOKIE}={session}"})


def set_cookie(response: httpx.Response, name: str) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header


def error_keys(response: httpx.Response) -> list[str]:
    return [item["key"] for item in response.json()["extra"]]


@pytest.fixture
def app_with(settings: Settings, clock: FrozenClock) -> Any:
    """Serve an app whose settings differ from the default test settings (on the same
    clock)."""
    def build(**changes: Any) -> Any:
        return serving(create_app(msgspec.structs.replace(settings, **changes), clock))
    return build


# Sign-up

async def test_sign_up_answers_the_user_with_their_email(client, db):
    response = await sign_up(client, email="Anna.Jensen@Example.DK")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "display_name", "role", "email", "created_at",
                         "email_verified", "residency_verified", "sign_in_methods"}
    assert body["email_verified"] is False and body["residency_verified"] is False
    assert body["sign_in_methods"] == ["password"]
    assert body["role"] == "resident"
    assert body["display_name"] == "Anna Jensen"
    assert body["email"] == "anna.jensen@example.dk"
    stored = await db.fetchval("SELECT password_hash FROM users WHERE id = $1", body["id"])
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_an_email_already_registered_is_409_whatever_its_case(client):
    assert (await sign_up(client, email="anna@example.dk")).status_code == 201
    response = await sign_up(client, email="ANNA@example.dk", display_name="Another Anna")
    assert response.status_code == 409
    assert response.json()["status_code"] == 409
    assert error_keys(response) == ["email"]


async def test_a_short_password_is_400_naming_the_field(client):
    response = await sign_up(client, password="123456789")
    assert response.status_code == 400
    assert response.json()["status_code"] == 400
    assert error_keys(response) == ["password"]
    assert "10" in response.json()["extra"][0]["message"]


async def test_ten_characters_of_any_kind_are_enough(client):
    assert (await sign_up(client, password="aaaaaaaaaa")).status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not-an-address", "password": PASSWORD, "display_name": "A"}, "email"),
    ({"email": "a@example.dk", "password": PASSWORD, "display_name": ""}, "display_name"),
    ({"email": "a@example.dk", "password": PASSWORD, "display_name": "   "}, "display_name"),
    ({"email": "a@example.dk", "password": "x" * 1025, "display_name": "A"}, "password"),
])
async def test_bad_sign_up_input_is_400_naming_the_field(client, body, field):
    response = await client.post(f"{API}/users", json=body)
    assert response.status_code == 400
    assert error_keys(response) == [field]


async def test_a_missing_field_is_named(client):
    response = await client.post(f"{API}/users", json={"email": "a@example.dk",
                                                       "password": PASSWORD})
    assert response.status_code == 400
    assert "display_name" in response.json()["extra"][0]["message"]


async def test_nobody_can_choose_their_own_role_at_sign_up(client):
    response = await client.post(f"{API}/users", json={
        "email": "a@example.dk", "password": PASSWORD, "display_name": "A", "role": "admin"})
    assert response.status_code == 400
    assert "unknown field `role`" in response.json()["extra"][0]["message"]


# API tokens

async def test_a_token_is_created_used_and_revoked(client):
    await sign_up(client)
    response = await get_token(client)
    assert response.status_code == 201
    token = response.json()["token"]
    assert set(response.json()) == {"token"}

    me = await client.get(f"{API}/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["email"] == "anna@example.dk"

    revoked = await client.delete(f"{API}/tokens/current", headers=bearer(token))
    assert revoked.status_code == 204
    after = await client.get(f"{API}/me", headers=bearer(token))
    assert after.status_code == 401
    assert after.json()["status_code"] == 401


async def test_revoking_one_token_leaves_the_others(client):
    await sign_up(client)
    first = (await get_token(client)).json()["token"]
    second = (await get_token(client)).json()["token"]
    assert first != second
    await client.delete(f"{API}/tokens/current", headers=bearer(first))
    assert (await client.get(f"{API}/me", headers=bearer(second))).status_code == 200


async def test_an_api_token_expires_after_90_days_without_use(client, clock, db):
    await sign_up(client)
    used = (await get_token(client)).json()["token"]
    unused = (await get_token(client)).json()["token"]
    clock.advance(timedelta(days=89))
    assert (await client.get(f"{API}/me", headers=bearer(used))).status_code == 200
    clock.advance(timedelta(days=1, seconds=1))
    # Ninety days and a second after it was last used, a token is no longer valid …
    expired = await client.get(f"{API}/me", headers=bearer(unused))
    assert expired.status_code == 401
    assert expired.json()["status_code"] == 401
    # … while one in use slides on: 90 days from its last use.
    assert (await client.get(f"{API}/me", headers=bearer(used))).status_code == 200
    clock.advance(timedelta(days=89, hours=23))
    assert (await client.get(f"{API}/me", headers=bearer(used))).status_code == 200


async def test_a_token_in_use_is_written_at_most_hourly(client, clock, db):
    await sign_up(client)
    token = (await get_token(client)).json()["token"]
    query = "SELECT last_used_at, expires_at FROM auth_tokens WHERE kind = 'api'"
    made = await db.fetchrow(query)
    assert made["expires_at"] - made["last_used_at"] == timedelta(days=90)
    clock.advance(timedelta(minutes=59))
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200
    assert await db.fetchrow(query) == made
    clock.advance(timedelta(minutes=2))
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200
    touched = await db.fetchrow(query)
    assert touched["last_used_at"] == clock.now()
    assert touched["expires_at"] == clock.now() + timedelta(days=90)


async def test_a_token_without_expiry_gets_one_at_its_first_use(client, clock, db):
    # As an instance older than the expiry makes them during a rolling upgrade.
    await sign_up(client)
    token = (await get_token(client)).json()["token"]
    await db.execute("UPDATE auth_tokens SET expires_at = NULL")
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200
    assert await db.fetchval("SELECT expires_at FROM auth_tokens") == NOW + timedelta(days=90)


async def test_how_long_a_token_lasts_is_a_setting(client, clock, app_with):
    await sign_up(client)
    async with app_with(api_token_days=7) as short:
        token = (await get_token(short)).json()["token"]
        clock.advance(timedelta(days=7, seconds=1))
        assert (await short.get(f"{API}/me", headers=bearer(token))).status_code == 401


async def test_my_tokens_and_sessions_are_listed_without_their_secrets(client, clock, db):
    await sign_up(client)
    first = (await get_token(client)).json()["token"]
    clock.advance(timedelta(minutes=5))
    second = (await get_token(client)).json()["token"]
    clock.advance(timedelta(minutes=5))
    session = (await sign_in(client)).cookies[SESSION_COOKIE]
    _, someone_else = await make_user(db)
    # An expired token is no longer anybody's sign-in.
    clock.advance(timedelta(minutes=5))
    stale = (await get_token(client)).json()["token"]
    await db.execute("UPDATE auth_tokens SET expires_at = $1 WHERE token_hash = $2",
                     NOW, token_hash(stale))

    response = await client.get(f"{API}/tokens", headers=bearer(second))
    assert response.status_code == 200
    listed = response.json()
    assert listed["next_cursor"] is None
    items = listed["items"]
    assert [(item["kind"], item["current"]) for item in items] == [
        ("session", False), ("api", True), ("api", False)]  # the newest first
    for item in items:
        assert set(item) == {"id", "kind", "created_at", "last_used_at", "expires_at",
                             "current"}
    assert items[2]["created_at"] == items[2]["last_used_at"] == "2026-11-16T09:00:00Z"
    assert items[2]["expires_at"] == "2027-02-14T09:00:00Z"
    assert items[0]["expires_at"] == "2026-12-16T09:10:00Z"  # a session: 30 days
    for secret in (first, second, session, stale):
        assert secret not in response.text
        assert token_hash(secret).hex() not in response.text
    # From the browser, the session is the current one.
    from_browser = (await client.get(f"{API}/tokens")).json()["items"]
    assert [item["current"] for item in from_browser] == [True, False, False]
    assert len((await client.get(f"{API}/tokens", headers=bearer(someone_else))
                ).json()["items"]) == 1


async def test_my_sign_ins_page_on(client):
    await sign_up(client)
    tokens = [(await get_token(client)).json()["token"] for _ in range(5)]
    first = (await client.get(f"{API}/tokens?limit=3", headers=bearer(tokens[0]))).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = (await client.get(f"{API}/tokens", headers=bearer(tokens[0]),
                             params={"limit": 3, "cursor": first["next_cursor"]})).json()
    assert rest["next_cursor"] is None
    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5


async def test_a_token_is_revoked_by_its_id(client, db):
    await sign_up(client)
    kept = (await get_token(client)).json()["token"]
    ended = (await get_token(client)).json()["token"]
    ended_id = await db.fetchval("SELECT id FROM auth_tokens WHERE token_hash = $1",
                                 token_hash(ended))
    response = await client.delete(f"{API}/tokens/{ended_id}", headers=bearer(kept))
    assert response.status_code == 204
    assert (await client.get(f"{API}/me", headers=bearer(ended))).status_code == 401
    assert (await client.get(f"{API}/me", headers=bearer(kept))).status_code == 200
    again = await client.delete(f"{API}/tokens/{ended_id}", headers=bearer(kept))
    assert again.status_code == 404


async def test_another_persons_token_cannot_be_revoked(client, db):
    await sign_up(client)
    mine = (await get_token(client)).json()["token"]
    other, theirs = await make_user(db)
    their_id = await db.fetchval("SELECT id FROM auth_tokens WHERE user_id = $1", other.id)
    for token_id in (their_id, 987654321):
        response = await client.delete(f"{API}/tokens/{token_id}", headers=bearer(mine))
        assert response.status_code == 404
        assert response.json()["status_code"] == 404
    assert (await client.get(f"{API}/me", headers=bearer(theirs))).status_code == 200
    assert (await client.delete(f"{API}/tokens/{their_id}")).status_code == 401
    assert (await client.get(f"{API}/tokens")).status_code == 401


async def test_ending_this_browsers_session_by_its_id_expires_the_cookie(client, app):
    await sign_up(client)
    session = (await sign_in(client)).cookies[SESSION_COOKIE]
    [listed] = (await client.get(f"{API}/tokens")).json()["items"]
    response = await client.delete(f"{API}/tokens/{listed['id']}",
                                   headers={"x-csrftoken": await csrf_token(client)})
    assert response.status_code == 204
    assert "max-age=0" in set_cookie(response, SESSION_COOKIE).lower()
    assert (await me_with_cookie(app, session)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer ibx_unknown", "Bearer ", "Basic YTpi", "ibx_x"])
async def test_a_bad_authorization_header_is_401(client, header):
    response = await client.get(f"{API}/me", headers={"Authorization": header})
    assert response.status_code == 401


async def test_me_needs_a_sign_in(client):
    response = await client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json() == {"status_code": 401, "detail": "Sign in to do this",
                               "extra": {"code": "sign_in_needed"}}


async def test_a_wrong_email_and_a_wrong_password_give_the_same_answer(client):
    await sign_up(client)
    wrong_password = await get_token(client, password="not the password")
    wrong_email = await get_token(client, email="nobody@example.dk")
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert wrong_password.json() == wrong_email.json()
    browser_password = await sign_in(client, password="not the password")
    browser_email = await sign_in(client, email="nobody@example.dk")
    assert browser_password.json() == browser_email.json() == wrong_email.json()


# Changing the password, signing out everywhere

@contextlib.asynccontextmanager
async def signed_in_browser(app: Litestar, email: str = "anna@example.dk",
                            address: str = "198.51.100.30") -> AsyncIterator[httpx.AsyncClient]:
    """Another browser (its own cookies), signed in."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50003))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        signed_in = await sign_in(browser, email=email, **from_address(address))
        assert signed_in.status_code == 200
        yield browser


async def change_password(client: httpx.AsyncClient, current: str, new: str,
                          **headers: str) -> httpx.Response:
    return await client.post(f"{API}/me/password", headers=headers,
                             json={"current_password": current, "new_password": new})


async def test_a_password_change_ends_every_other_sign_in(client, app):
    await sign_up(client)
    used, other = [(await get_token(client)).json()["token"] for _ in range(2)]
    async with signed_in_browser(app) as browser:
        response = await change_password(client, PASSWORD, "et nyt og langt kodeord",
                                         **bearer(used))
        assert response.status_code == 204
        # The token the change was made with goes on; every other sign-in has ended.
        assert (await client.get(f"{API}/me", headers=bearer(used))).status_code == 200
        assert (await client.get(f"{API}/me", headers=bearer(other))).status_code == 401
        assert (await browser.get(f"{API}/me")).status_code == 401
    assert (await get_token(client)).status_code == 401
    assert (await get_token(client, password="et nyt og langt kodeord")).status_code == 201


async def test_a_password_change_in_the_browser_keeps_its_session(client, app):
    await sign_up(client)
    token = (await get_token(client)).json()["token"]
    async with signed_in_browser(app) as browser:
        response = await change_password(browser, PASSWORD, "et nyt og langt kodeord",
                                         **{"x-csrftoken": await csrf_token(browser)})
        assert response.status_code == 204
        assert (await browser.get(f"{API}/me")).status_code == 200
        [left] = (await browser.get(f"{API}/tokens")).json()["items"]
        assert left["kind"] == "session" and left["current"]
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401


async def test_a_wrong_current_password_is_400_and_counts_as_a_failed_sign_in(client, app):
    await sign_up(client)
    token = (await get_token(client)).json()["token"]
    here = from_address("198.51.100.40")
    for _ in range(5):
        wrong = await change_password(client, "not my password", "et nyt og langt kodeord",
                                      **bearer(token), **here)
        assert wrong.status_code == 400
        assert error_keys(wrong) == ["current_password"]
    # Nothing changed meanwhile: the old password and the other sign-ins still work.
    async with signed_in_browser(app) as browser:
        assert (await browser.get(f"{API}/me")).status_code == 200
    # Whoever holds the token cannot go on guessing the password, there or at sign-in.
    limited = await change_password(client, PASSWORD, "et nyt og langt kodeord",
                                    **bearer(token), **here)
    assert limited.status_code == 429
    assert (await get_token(client, **here)).status_code == 429


async def test_the_new_password_follows_the_sign_up_rule(client):
    await sign_up(client)
    token = (await get_token(client)).json()["token"]
    short = await change_password(client, PASSWORD, "123456789", **bearer(token))
    assert short.status_code == 400
    assert error_keys(short) == ["new_password"]
    assert "10" in short.json()["extra"][0]["message"]
    missing = await client.post(f"{API}/me/password", headers=bearer(token),
                                json={"new_password": "et nyt og langt kodeord"})
    assert missing.status_code == 400
    assert error_keys(missing) == ["current_password"]
    assert (await get_token(client)).status_code == 201  # the password is unchanged


async def test_signing_out_everywhere_ends_every_sign_in(client, app, db):
    await sign_up(client)
    used, other = [(await get_token(client)).json()["token"] for _ in range(2)]
    _, someone_else = await make_user(db)
    async with signed_in_browser(app) as browser:
        response = await client.post(f"{API}/me/sign-out-everywhere", headers=bearer(used))
        assert response.status_code == 204
        for token in (used, other):
            assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401
        assert (await browser.get(f"{API}/me")).status_code == 401
    assert (await client.get(f"{API}/me", headers=bearer(someone_else))).status_code == 200


async def test_signing_out_everywhere_from_the_browser_expires_its_cookie(client, app):
    await sign_up(client)
    session = (await sign_in(client)).cookies[SESSION_COOKIE]
    response = await client.post(f"{API}/me/sign-out-everywhere",
                                 headers={"x-csrftoken": await csrf_token(client)})
    assert response.status_code == 204
    assert "max-age=0" in set_cookie(response, SESSION_COOKIE).lower()
    assert (await me_with_cookie(app, session)).status_code == 401


async def test_password_and_sign_out_everywhere_need_a_sign_in(client):
    assert (await change_password(client, PASSWORD, "et nyt og langt kodeord")
            ).status_code == 401
    assert (await client.post(f"{API}/me/sign-out-everywhere")).status_code == 401


# The browser session

async def test_sign_in_sets_a_safe_session_cookie_and_answers_the_user(client):
    await sign_up(client)
    response = await sign_in(client)
    assert response.status_code == 200
    assert response.json()["email"] == "anna@example.dk"
    cookie = set_cookie(response, SESSION_COOKIE).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert f"max-age={30 * 86400}" in cookie
    assert "secure" not in cookie  # the test base URL is http://
    me = await client.get(f"{API}/me")
    assert me.status_code == 200 and me.json()["id"] == response.json()["id"]


async def test_the_session_cookie_is_secure_when_configured(client, settings):
    await sign_up(client)
    app = create_app(msgspec.structs.replace(settings, cookie_secure=True, session_days=7))
    # Over https, or the client would not send the (Secure) CSRF cookie back.
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with running(app), httpx.AsyncClient(transport=transport,
                                               base_url="https://testserver") as secure:
        response = await sign_in(secure)
        assert response.status_code == 200
        cookie = set_cookie(response, SESSION_COOKIE).lower()
        assert "; secure" in cookie
        assert f"max-age={7 * 86400}" in cookie


async def test_every_sign_in_gets_a_new_session_and_ends_the_old_one(client, app):
    await sign_up(client)
    first = (await sign_in(client)).cookies[SESSION_COOKIE]
    second = (await sign_in(client)).cookies[SESSION_COOKIE]
    assert first != second
    assert (await me_with_cookie(app, second)).status_code == 200
    assert (await me_with_cookie(app, first)).status_code == 401


async def test_a_session_in_use_is_extended_on_the_server_and_in_the_browser(client, db):
    await sign_up(client)
    session = (await sign_in(client)).cookies[SESSION_COOKIE]
    # As if the last request had been two days ago.
    await db.execute("UPDATE auth_tokens SET last_used_at = $1::timestamptz - interval '2 days', "
                     "expires_at = $1::timestamptz + interval '28 days' WHERE kind = 'session'",
                     NOW)
    response = await client.get(f"{API}/me")
    assert response.status_code == 200
    cookie = set_cookie(response, SESSION_COOKIE).lower()
    assert cookie.startswith(f"{SESSION_COOKIE}={session}".lower())
    assert f"max-age={30 * 86400}" in cookie and "httponly" in cookie
    left = await db.fetchval("SELECT expires_at - $1 FROM auth_tokens WHERE kind = 'session'",
                             NOW)
    assert left.days >= 29
    # Extended at most hourly: the next request sends no cookie.
    again = await client.get(f"{API}/me")
    assert not [h for h in again.headers.get_list("set-cookie")
                if h.startswith(f"{SESSION_COOKIE}=")]


async def test_a_session_id_planted_before_sign_in_is_never_used(client, app):
    await sign_up(client)
    planted = "ibx_chosen-by-an-attacker"
    client.cookies.set(SESSION_COOKIE, planted)
    response = await sign_in(client)
    assert response.cookies[SESSION_COOKIE] != planted
    assert (await me_with_cookie(app, planted)).status_code == 401


async def test_sign_out_ends_the_session_on_the_server(client, app, db):
    await sign_up(client)
    session = (await sign_in(client)).cookies[SESSION_COOKIE]
    response = await client.delete(f"{API}/session",
                                   headers={"x-csrftoken": await csrf_token(client)})
    assert response.status_code == 204
    assert "max-age=0" in set_cookie(response, SESSION_COOKIE).lower()
    # A copy of the old cookie, kept by whoever, no longer signs anybody in.
    assert (await me_with_cookie(app, session)).status_code == 401
    assert await db.fetchval("SELECT count(*) FROM auth_tokens WHERE kind = 'session'") == 0


async def test_sign_out_without_a_session_is_harmless(client):
    response = await client.delete(f"{API}/session",
                                   headers={"x-csrftoken": await csrf_token(client)})
    assert response.status_code == 204


# CSRF

async def test_a_cookie_request_without_the_csrf_token_is_refused(client, db):
    await make_user(db, role="admin", email="admin@example.dk")
    resident, _ = await make_user(db)
    await sign_in(client, email="admin@example.dk", password=DEFAULT_PASSWORD)
    url = f"{API}/users/{resident.id}"

    refused = await client.patch(url, json={"role": "staff"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "CSRF token verification failed"
    forged = await client.patch(url, json={"role": "staff"}, headers={"x-csrftoken": "forged"})
    assert forged.status_code == 403
    refused_out = await client.delete(f"{API}/session")
    assert refused_out.status_code == 403

    allowed = await client.patch(url, json={"role": "staff"},
                                 headers={"x-csrftoken": await csrf_token(client)})
    assert allowed.status_code == 200


async def test_a_bearer_request_needs_no_csrf_token(client, app, db):
    _, token = await make_user(db, role="admin")
    resident, _ = await make_user(db)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as fresh:
        response = await fresh.patch(f"{API}/users/{resident.id}", json={"role": "staff"},
                                     headers=bearer(token))
    assert response.status_code == 200
    assert CSRF_COOKIE not in fresh.cookies


async def test_sign_in_itself_needs_the_csrf_token(client):
    # Otherwise a hostile page could sign a visitor in as the attacker (login CSRF).
    await sign_up(client)
    response = await client.post(f"{API}/session",
                                 json={"email": "anna@example.dk", "password": PASSWORD})
    assert response.status_code == 403


# Roles

async def test_an_admin_sets_a_role(client, db):
    _, admin_token = await make_user(db, role="admin")
    resident, resident_token = await make_user(db)
    response = await client.patch(f"{API}/users/{resident.id}", json={"role": "moderator"},
                                  headers=bearer(admin_token))
    assert response.status_code == 200
    assert response.json()["role"] == "moderator"
    assert response.json()["email"]  # admins see e-mail addresses
    # It takes effect at the person's next request.
    me = await client.get(f"{API}/me", headers=bearer(resident_token))
    assert me.json()["role"] == "moderator"


@pytest.mark.parametrize("role", ["resident", "staff", "moderator"])
async def test_only_an_admin_sets_roles(client, db, role):
    _, token = await make_user(db, role=role)
    other, _ = await make_user(db)
    response = await client.patch(f"{API}/users/{other.id}", json={"role": "admin"},
                                  headers=bearer(token))
    assert response.status_code == 403
    assert response.json()["status_code"] == 403


async def test_setting_the_role_of_an_unknown_user_is_404(client, db):
    _, token = await make_user(db, role="admin")
    response = await client.patch(f"{API}/users/999999", json={"role": "staff"},
                                  headers=bearer(token))
    assert response.status_code == 404


async def test_a_role_that_does_not_exist_is_400(client, db):
    _, token = await make_user(db, role="admin")
    other, _ = await make_user(db)
    response = await client.patch(f"{API}/users/{other.id}", json={"role": "superuser"},
                                  headers=bearer(token))
    assert response.status_code == 400
    assert error_keys(response) == ["role"]


async def test_an_admin_cannot_change_their_own_role(client, db):
    admin, token = await make_user(db, role="admin")
    response = await client.patch(f"{API}/users/{admin.id}", json={"role": "resident"},
                                  headers=bearer(token))
    assert response.status_code == 409


async def test_setting_a_role_needs_a_sign_in(client, db):
    other, _ = await make_user(db)
    response = await client.patch(f"{API}/users/{other.id}", json={"role": "admin"},
                                  headers=bearer("ibx_nobody"))
    assert response.status_code == 401


# Rate limits

async def test_failed_sign_ins_from_one_address_lock_that_address_out_of_the_account(client):
    await sign_up(client)
    here = from_address("198.51.100.7")
    for _ in range(5):
        assert (await get_token(client, password="wrong guess!", **here)).status_code == 401
    limited = await get_token(client, password="wrong guess!", **here)
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= 900
    assert limited.json()["status_code"] == 429
    # From that address even the right password waits until the window has passed, and
    # the browser's sign-in shares the count.
    assert (await get_token(client, **here)).status_code == 429
    assert (await sign_in(client, **here)).status_code == 429


async def test_a_stranger_elsewhere_cannot_lock_the_owner_out(client):
    await sign_up(client)
    stranger = from_address("203.0.113.66")
    answers = [(await get_token(client, password="wrong guess!", **stranger)).status_code
               for _ in range(10)]
    assert answers == [401] * 5 + [429] * 5
    # The owner, from their own address, signs in as usual: with a token and in the browser.
    owner = from_address("198.51.100.20")
    assert (await get_token(client, **owner)).status_code == 201
    assert (await sign_in(client, **owner)).status_code == 200


async def test_a_guessing_run_from_many_addresses_is_stopped_per_email(client, app_with):
    await sign_up(client)
    async with app_with(signin_failures_per_email=12) as limited_client:
        # Four guesses from each address: under the limit per address and account.
        for n in range(12):
            guess = await get_token(limited_client, password=f"guess number {n}",
                                    **from_address(f"198.51.100.{n // 4}"))
            assert guess.status_code == 401
        # The account is closed to every address for the window, the right password too.
        limited = await get_token(limited_client, **from_address("192.0.2.200"))
        assert limited.status_code == 429
        assert 0 < int(limited.headers["retry-after"]) <= 900
        # Other accounts are not affected.
        await sign_up(limited_client, email="bo@example.dk")
        assert (await get_token(limited_client, email="bo@example.dk",
                                **from_address("192.0.2.200"))).status_code == 201


async def test_successful_sign_ins_do_not_count_against_the_email(client):
    await sign_up(client)
    for _ in range(7):
        assert (await get_token(client)).status_code == 201


async def test_too_many_failed_sign_ins_from_one_address_is_429(client, app_with):
    await sign_up(client)
    async with app_with(signin_failures_per_address=3) as limited_client:
        for n in range(3):
            response = await get_token(limited_client, email=f"guess{n}@example.dk",
                                       **from_address("203.0.113.7"))
            assert response.status_code == 401
        limited = await get_token(limited_client, **from_address("203.0.113.7"))
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) > 0
        # Another address is not affected.
        assert (await get_token(limited_client, **from_address("203.0.113.8"))).status_code == 201


async def test_good_sign_ins_from_one_shared_address_do_not_count(client, app_with):
    # A town hall or a library: many people signing in from one address.
    town_hall = from_address("203.0.113.9")
    async with app_with(signin_failures_per_address=3) as limited_client:
        for n in range(3):
            await sign_up(limited_client, email=f"borger{n}@example.dk")
        for _ in range(2):
            for n in range(3):
                token = await get_token(limited_client, email=f"borger{n}@example.dk",
                                        **town_hall)
                assert token.status_code == 201
                signed_in = await sign_in(limited_client, email=f"borger{n}@example.dk",
                                          **town_hall)
                assert signed_in.status_code == 200
        # Failures still count there.
        for _ in range(3):
            assert (await get_token(limited_client, email="borger0@example.dk",
                                    password="wrong guess!", **town_hall)).status_code == 401
        assert (await get_token(limited_client, email="borger1@example.dk",
                                **town_hall)).status_code == 429


async def test_ipv6_clients_are_counted_per_64(app_with):
    async with app_with(signups_per_address=2) as client:
        # One subscriber's prefix is one address, whichever of its addresses is used.
        for n, address in enumerate(("2001:db8:5:6::1", "2001:db8:5:6:ffff::2")):
            response = await sign_up(client, email=f"ny{n}@example.dk",
                                     **from_address(address))
            assert response.status_code == 201
        refused = await sign_up(client, email="ny9@example.dk",
                                **from_address("2001:db8:5:6:1234:5678:9abc:def0"))
        assert refused.status_code == 429
        assert (await sign_up(client, email="ny9@example.dk",
                              **from_address("2001:db8:5:7::1"))).status_code == 201


async def test_failed_sign_ins_from_ipv6_are_counted_per_64(client, app_with):
    await sign_up(client)
    async with app_with(signin_failures_per_address=3) as limited:
        for n in range(3):
            guess = await get_token(limited, email=f"guess{n}@example.dk",
                                    **from_address(f"2001:db8:aa:bb::{n + 1}"))
            assert guess.status_code == 401
        assert (await get_token(limited, **from_address("2001:db8:aa:bb::99"))).status_code == 429
        assert (await get_token(limited, **from_address("2001:db8:aa:bc::1"))).status_code == 201


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(client, app):
    await sign_up(client)
    # A client that is no proxy names another address in every request: it is still
    # counted at its own.
    transport = httpx.ASGITransport(app=app, client=("198.51.100.80", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as direct:
        for n in range(5):
            guess = await get_token(direct, password="wrong guess!",
                                    **from_address(f"192.0.2.{n}"))
            assert guess.status_code == 401
        refused = await get_token(direct, **from_address("192.0.2.99"))
        assert refused.status_code == 429
    # Through the trusted proxy (the test client's 127.0.0.1), that address is another
    # client's, which the guesses did not touch.
    assert (await get_token(client, **from_address("198.51.100.81"))).status_code == 201
    assert (await get_token(client, **from_address("198.51.100.80"))).status_code == 429


async def test_too_many_sign_ups_from_one_address_is_429(app_with):
    async with app_with(signups_per_address=2) as client:
        for n in range(2):
            response = await sign_up(client, email=f"new{n}@example.dk",
                                     **from_address("192.0.2.1"))
            assert response.status_code == 201
        limited = await sign_up(client, email="new9@example.dk", **from_address("192.0.2.1"))
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) > 0
        other = await sign_up(client, email="new9@example.dk", **from_address("192.0.2.2"))
        assert other.status_code == 201


async def test_too_many_writes_by_one_person_is_429(db, app_with):
    _, token = await make_user(db, role="admin")
    other, _ = await make_user(db)
    async with app_with(writes_per_minute=3) as client:
        url = f"{API}/users/{other.id}"
        for _ in range(3):
            response = await client.patch(url, json={"role": "staff"}, headers=bearer(token))
            assert response.status_code == 200
        limited = await client.patch(url, json={"role": "staff"}, headers=bearer(token))
        assert limited.status_code == 429
        assert 0 < int(limited.headers["retry-after"]) <= 60
        # Reading is not a write.
        assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200


# Redis down

@pytest.fixture
async def without_redis(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose Redis has been stopped."""
    own_redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    url = own_redis.start()
    try:
        app = create_app(msgspec.structs.replace(settings, redis_url=url,
                                                 signin_failures_per_email_and_address=2))
        async with serving(app) as client:
            own_redis.stop()
            yield client
    finally:
        own_redis.stop()


async def test_sign_up_sign_in_and_sessions_work_with_redis_stopped(without_redis):
    client = without_redis
    assert (await sign_up(client)).status_code == 201
    signed_in = await sign_in(client)
    assert signed_in.status_code == 200
    assert (await client.get(f"{API}/me")).json()["email"] == "anna@example.dk"
    token = (await get_token(client)).json()["token"]
    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200
    assert (await client.delete(f"{API}/tokens/current",
                                headers=bearer(token))).status_code == 204
    signed_out = await client.delete(f"{API}/session",
                                     headers={"x-csrftoken": await csrf_token(client)})
    assert signed_out.status_code == 204
    assert (await client.get(f"{API}/me")).status_code == 401


async def test_failed_sign_ins_are_still_limited_with_redis_stopped(without_redis):
    client = without_redis
    await sign_up(client)
    for _ in range(2):
        assert (await get_token(client, password="wrong guess!")).status_code == 401
    limited = await get_token(client, password="wrong guess!")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0


# GDPR

async def _content_of(db, user_id: int) -> dict[str, int]:
    """An idea, a comment, a vote, a follow and a notification by or for ``user_id``."""
    purpose = await db.fetchval(
        "INSERT INTO purposes (slug, title, statement, statement_html) "
        "VALUES ('havnen', 'En bedre havnefront', 'Hvad vil du have?', '<p>Hvad?</p>') "
        "RETURNING id")
    idea = await db.fetchval(
        "INSERT INTO ideas (purpose_id, author_id, title, body, body_html) "
        "VALUES ($1, $2, 'Flere bænke', 'Ved vandet', '<p>Ved vandet</p>') RETURNING id",
        purpose, user_id)
    comment = await db.fetchval(
        "INSERT INTO comments (idea_id, author_id, body, body_html) "
        "VALUES ($1, $2, 'Enig', '<p>Enig</p>') RETURNING id", idea, user_id)
    await db.execute("INSERT INTO votes (idea_id, voter_id) VALUES ($1, $2)", idea, user_id)
    await db.execute("INSERT INTO follows (user_id, idea_id) VALUES ($1, $2)", user_id, idea)
    await db.execute("INSERT INTO notifications (user_id, idea_id, kind, payload) "
                     "VALUES ($1, $2, 'status', '{\"to\": \"promoted\"}')", user_id, idea)
    await db.execute("INSERT INTO notification_settings (user_id, email, language) "
                     "VALUES ($1, false, 'en')", user_id)
    return {"idea": idea, "comment": comment}


async def test_export_holds_everything_about_the_person(client, db):
    user_id = (await sign_up(client)).json()["id"]
    token = (await get_token(client)).json()["token"]
    ids = await _content_of(db, user_id)

    response = await client.get(f"{API}/me/export", headers=bearer(token))
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["email"] == "anna@example.dk"
    assert [i["id"] for i in data["ideas"]] == [ids["idea"]]
    assert data["ideas"][0]["purpose"] == "havnen"
    assert [c["id"] for c in data["comments"]] == [ids["comment"]]
    assert [v["idea_id"] for v in data["votes"]] == [ids["idea"]]
    assert [f["idea_title"] for f in data["follows"]] == ["Flere bænke"]
    assert data["notifications"][0]["payload"] == {"to": "promoted"}
    assert {s["kind"] for s in data["sign_ins"]} == {"api"}
    assert data["notification_settings"] == [{"email": False, "language": "en"}]
    # Secrets are never part of it.
    assert "argon2" not in response.text and token not in response.text


async def test_export_keeps_hidden_ideas_titles_from_those_who_may_not_see_them(client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    _, voter_token = await make_user(db)
    _, moderator = await make_user(db, role="moderator")
    theirs = await post_idea(client, author, purpose.slug, title="Naboens navn i titlen")
    mine = await post_idea(client, voter_token, purpose.slug, title="Min egen skjulte idé")
    seen = await post_idea(client, author, purpose.slug, title="En synlig idé")
    for idea in (theirs, mine, seen):
        await vote_as(client, [voter_token, moderator], idea["id"])
        for token in (voter_token, moderator):
            followed = await client.put(f"{API}/ideas/{idea['id']}/follow", headers=bearer(token))
            assert followed.status_code == 200
    for idea in (theirs, mine):
        hidden = await client.post(f"{API}/ideas/{idea['id']}/hide", headers=bearer(moderator),
                                   json={"reason": "Nævner en nabo ved navn."})
        assert hidden.status_code == 200

    data = (await client.get(f"{API}/me/export", headers=bearer(voter_token))).json()
    assert "Naboens navn" not in msgspec.json.encode(data).decode()
    expected = {theirs["id"]: (None, True), mine["id"]: ("Min egen skjulte idé", True),
                seen["id"]: ("En synlig idé", False)}
    for kind in ("votes", "follows"):
        # The vote and the follow are the person's own data and stay; the title of an
        # idea hidden from them does not.
        assert {item["idea_id"]: (item["idea_title"], item["hidden"])
                for item in data[kind]} == expected, kind
    # A moderator may see every hidden idea, so their export names them all.
    moderated = (await client.get(f"{API}/me/export", headers=bearer(moderator))).json()
    assert {v["idea_title"] for v in moderated["votes"]} == {
        "Naboens navn i titlen", "Min egen skjulte idé", "En synlig idé"}


async def test_export_and_delete_need_a_sign_in(client):
    assert (await client.get(f"{API}/me/export")).status_code == 401
    assert (await client.delete(f"{API}/me", headers=bearer("ibx_nobody"))).status_code == 401


async def test_deleting_the_account_anonymises_it_and_keeps_the_content(client, db):
    user_id = (await sign_up(client)).json()["id"]
    token = (await get_token(client)).json()["token"]
    ids = await _content_of(db, user_id)

    response = await client.delete(f"{API}/me", headers=bearer(token))
    assert response.status_code == 204

    row = await db.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
    assert row["email"] == f"deleted-{user_id}@invalid"
    assert row["display_name"] == "Slettet bruger"
    assert row["deleted_at"] is not None
    assert not row["password_hash"].startswith("$argon2")
    for table in ("auth_tokens", "follows", "notifications", "notification_settings"):
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1",
                                 user_id) == 0
    assert await db.fetchval("SELECT author_id FROM ideas WHERE id = $1",
                             ids["idea"]) == user_id
    assert await db.fetchval("SELECT author_id FROM comments WHERE id = $1",
                             ids["comment"]) == user_id
    assert await db.fetchval("SELECT count(*) FROM votes WHERE voter_id = $1", user_id) == 1

    assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 401
    assert (await get_token(client)).status_code == 401
    # The address is free again.
    assert (await sign_up(client)).status_code == 201


async def test_deleting_the_account_from_the_browser_ends_the_session(client, app):
    await sign_up(client)
    session = (await sign_in(client)).cookies[SESSION_COOKIE]
    response = await client.delete(f"{API}/me", headers={"x-csrftoken": await csrf_token(client)})
    assert response.status_code == 204
    assert "max-age=0" in set_cookie(response, SESSION_COOKIE).lower()
    assert (await me_with_cookie(app, session)).status_code == 401


async def test_the_openapi_schema_documents_the_accounts_api(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/api/v1/users", "/api/v1/tokens", "/api/v1/tokens/current", "/api/v1/me",
                 "/api/v1/tokens/{token_id}", "/api/v1/me/password",
                 "/api/v1/me/sign-out-everywhere",
                 "/api/v1/users/{user_id}", "/api/v1/me/export", "/api/v1/session"):
        assert path in paths
