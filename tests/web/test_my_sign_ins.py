"""My page's sign-ins: every browser session and API token of mine, each with a button
to end it; changing the password; signing out everywhere. Plain forms with the CSRF
token, driven here as a browser without JavaScript would."""

from __future__ import annotations

import re

import asyncpg
import httpx

from ideabox.accounts.tokens import token_hash
from tests.factories import DEFAULT_PASSWORD, bearer, make_user
from tests.web.forms import another_browser, sign_in, submit

NEW_PASSWORD = "et helt nyt kodeord"


def _section(page: str, anchor: str) -> str:
    found = re.search(rf'aria-labelledby="{anchor}".*?</section>', page, re.S)
    assert found, f"no section {anchor}"
    return found.group(0)


async def _id_of(db: asyncpg.Connection, token: str) -> int:
    found: int = await db.fetchval("SELECT id FROM auth_tokens WHERE token_hash = $1",
                                   token_hash(token))
    return found


async def test_my_page_lists_my_sign_ins_and_marks_this_browser(client: httpx.AsyncClient,
                                                                db: asyncpg.Connection) -> None:
    viewer, _ = await make_user(db, email="anna@example.dk")
    _, theirs = await make_user(db, email="bo@example.dk")
    # A token as API clients get it (the factories' tokens outlast the tests' clocks).
    await db.execute("DELETE FROM auth_tokens WHERE user_id = $1", viewer.id)
    made = await client.post("/api/v1/tokens", json={"email": "anna@example.dk",
                                                     "password": DEFAULT_PASSWORD})
    token = made.json()["token"]
    await sign_in(client, "anna@example.dk")
    page = (await client.get("/me")).text
    listed = _section(page, "my-sign-ins")
    assert listed.count("<tr>") == 3  # the header, the session, the token
    assert "Denne browser" in listed and "API-nøgle" in listed
    # When each was made and last used, and when it expires (30 days for a session in
    # use, 90 for an API token).
    assert "16. november 2026 kl. 10.00" in listed
    assert "16. december 2026" in listed and "14. februar 2027" in listed
    token_id = await _id_of(db, token)
    assert f'action="/me/sign-ins/{token_id}/end"' in listed
    # A form with the CSRF token for each, and one to sign out everywhere.
    assert listed.count('name="_csrf_token"') == 3
    # Each button says which sign-in it ends, to a screen reader too.
    assert re.search(r'Log ud<span class="visually-hidden">: API-nøgle, oprettet 16\. '
                     r'november 2026 kl\. 10\.00</span>', listed)
    for secret in (token, theirs):
        assert secret not in page and token_hash(secret).hex() not in page
    assert str(await _id_of(db, theirs)) not in re.findall(r"/me/sign-ins/(\d+)/end", page)
    assert 'action="/me/sign-out-everywhere"' in page


async def test_ending_a_sign_in_from_my_page(client: httpx.AsyncClient,
                                             db: asyncpg.Connection) -> None:
    _, token = await make_user(db, email="anna@example.dk")
    _, theirs = await make_user(db, email="bo@example.dk")
    await sign_in(client, "anna@example.dk")
    ended = await submit(client, f"/me/sign-ins/{await _id_of(db, token)}/end", {})
    assert ended.status_code == 303 and ended.headers["location"] == "/me#my-sign-ins"
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    assert (await client.get("/me")).status_code == 200
    # Another person's sign-in is not mine to end.
    refused = await submit(client, f"/me/sign-ins/{await _id_of(db, theirs)}/end", {})
    assert refused.status_code == 404
    assert (await client.get("/api/v1/me", headers=bearer(theirs))).status_code == 200
    # Without the CSRF token, nothing is ended.
    [session] = await db.fetch("SELECT id FROM auth_tokens WHERE kind = 'session'")
    forged = await client.post(f"/me/sign-ins/{session['id']}/end")
    assert forged.status_code == 403
    # Ending this browser's own session signs it out.
    out = await submit(client, f"/me/sign-ins/{session['id']}/end", {})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert "max-age=0" in out.headers["set-cookie"].lower()
    assert (await client.get("/me")).headers["location"] == "/signin?next=/me"


async def test_changing_my_password_signs_me_out_everywhere_else(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    _, token = await make_user(db, email="anna@example.dk")
    await sign_in(client, "anna@example.dk")
    async with another_browser(client) as elsewhere:
        await sign_in(elsewhere, "anna@example.dk")
        changed = await submit(client, "/me/password", {"current_password": DEFAULT_PASSWORD,
                                                        "new_password": NEW_PASSWORD})
        assert changed.status_code == 303
        assert changed.headers["location"] == "/me?changed=password#my-password"
        page = (await client.get(changed.headers["location"])).text
        assert "Din adgangskode er skiftet. Du er logget ud alle andre steder." in page
        assert (await elsewhere.get("/me")).status_code == 303  # to the sign-in form
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    async with another_browser(client) as later:
        await sign_in(later, "anna@example.dk", NEW_PASSWORD)


async def test_password_errors_are_shown_next_to_their_fields(client: httpx.AsyncClient,
                                                              db: asyncpg.Connection) -> None:
    _, token = await make_user(db, email="anna@example.dk")
    await sign_in(client, "anna@example.dk")
    wrong = await submit(client, "/me/password", {"current_password": "not my password",
                                                  "new_password": "short"})
    assert wrong.status_code == 400
    # The rules of the new password first, as the form checks them before the service.
    assert 'id="f-new_password-error"' in wrong.text
    assert "Skal være mindst 10 tegn." in wrong.text
    wrong = await submit(client, "/me/password", {"current_password": "not my password",
                                                  "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400
    page = wrong.text
    assert 'class="error-summary"' in page and 'href="#f-current_password"' in page
    assert re.search(r'id="f-current_password"[^>]*aria-describedby="f-current_password-'
                     r'error"[^>]*aria-invalid="true"', page)
    assert "er ikke din nuværende adgangskode" in page
    assert "not my password" not in page and NEW_PASSWORD not in page
    # The rest of my page is there as usual, and nothing has changed.
    assert "Mine idéer" in page and "Denne browser" in page
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200
    # Wrong guesses count as failed sign-ins.
    for _ in range(4):
        await submit(client, "/me/password", {"current_password": "still wrong",
                                              "new_password": NEW_PASSWORD})
    limited = await submit(client, "/me/password", {"current_password": DEFAULT_PASSWORD,
                                                    "new_password": NEW_PASSWORD})
    assert limited.status_code == 429
    assert "For mange forsøg" in limited.text


async def test_signing_out_everywhere_from_my_page(client: httpx.AsyncClient,
                                                   db: asyncpg.Connection) -> None:
    _, token = await make_user(db, email="anna@example.dk")
    await sign_in(client, "anna@example.dk")
    async with another_browser(client) as elsewhere:
        await sign_in(elsewhere, "anna@example.dk")
        out = await submit(client, "/me/sign-out-everywhere", {})
        assert out.status_code == 303 and out.headers["location"] == "/"
        assert "max-age=0" in out.headers["set-cookie"].lower()
        assert (await elsewhere.get("/me")).status_code == 303
    assert (await client.get("/me")).status_code == 303
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401


async def test_the_sign_ins_in_english(client: httpx.AsyncClient,
                                       db: asyncpg.Connection) -> None:
    await make_user(db, email="anna@example.dk")
    await sign_in(client, "anna@example.dk")
    client.cookies.set("lang", "en")
    page = (await client.get("/me")).text
    for text in ("Where you are signed in", "This browser", "API token", "Sign out everywhere",
                 "Change your password", "Current password", "New password"):
        assert text in page, text
