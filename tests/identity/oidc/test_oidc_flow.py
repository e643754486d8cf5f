"""Signing in through an OpenID provider, end to end over HTTP, against the real
``oidc-provider-mock`` process: the code flow, accounts found, linked and made, what a
sign-in says about the person, and the sign-ins that must fail."""

from __future__ import annotations

import hashlib
import hmac
from base64 import urlsafe_b64encode
from datetime import timedelta

import asyncpg
import httpx
from litestar import Litestar

from ideabox.identity.oidc.pending import COOKIE, LIFETIME
from ideabox.identity.oidc.tokens import CLOCK_SKEW_SECONDS
from ideabox.platform.clock import FrozenClock
from tests.conftest import SECRET
from tests.factories import make_user
from tests.identity.providers import MOCK_TOKEN_SECONDS, MockProvider, path_of, query_of
from tests.web.forms import submit

API = "/api/v1"
BASE = "http://127.0.0.1:8000"  # the tests' IDEABOX_BASE_URL
SESSION_COOKIE = "ideabox_session"


async def start(client: httpx.AsyncClient, provider: str = "mitid",
                next_path: str = "/") -> str:
    """Open the sign-in address; the provider's authorization address it sends to."""
    answer = await client.get(f"/signin/oidc/{provider}", params={"next": next_path})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


async def sign_in(client: httpx.AsyncClient, mock: MockProvider, sub: str,
                  claims: dict[str, object] | None = None, *, provider: str = "mitid",
                  next_path: str = "/") -> httpx.Response:
    """The whole sign-in as a browser goes through it: to the provider, its form, and
    back; the answer of ideabox's callback."""
    if claims is not None:
        await mock.set_claims(sub, claims)
    back = await mock.authorize(await start(client, provider, next_path), sub)
    assert back.startswith(f"{BASE}/signin/oidc/{provider}/callback?")
    return await client.get(path_of(back))


def another_browser(app: Litestar) -> httpx.AsyncClient:
    """A client with cookies of its own, to the same running app as ``client``."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def me(client: httpx.AsyncClient) -> dict[str, object]:
    answer = await client.get(f"{API}/me")
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()
    return data


async def test_the_code_flow_signs_in_and_makes_an_account(client, oidc_mock, db, clock):
    cpr = "0101901234"  # MitID brokers may give the CPR number as the subject
    await oidc_mock.set_claims(cpr, {"name": "Anna  Jensen", "email": "Anna@Example.dk",
                                     "email_verified": True, "kommunekode": "751"})
    authorize = await start(client, next_path="/purposes/havnen?sort=new")
    sent = query_of(authorize)
    assert authorize.startswith(f"{oidc_mock.issuer}/oauth2/authorize?")
    assert sent["response_type"] == "code" and sent["client_id"] == "ideabox"
    assert sent["redirect_uri"] == f"{BASE}/signin/oidc/mitid/callback"
    assert sent["scope"] == "openid email profile"
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert len(sent["state"]) >= 43 and len(sent["nonce"]) >= 43
    assert sent["state"] != sent["nonce"]
    pending = client.cookies.jar
    cookie = next(c for c in pending if c.name == COOKIE)
    assert cookie.path == "/signin/oidc" and cookie.has_nonstandard_attr("HttpOnly")
    assert cpr not in cookie.value and sent["state"] not in cookie.value  # encrypted

    back = await oidc_mock.authorize(authorize, cpr)
    answer = await client.get(path_of(back))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/purposes/havnen?sort=new"
    assert SESSION_COOKIE in answer.cookies
    assert COOKIE not in client.cookies  # the pending sign-in is over

    person = await me(client)
    assert person["display_name"] == "Anna Jensen"
    assert person["email"] == "anna@example.dk"
    assert person["email_verified"] is True
    assert person["residency_verified"] is True
    assert person["sign_in_methods"] == ["oidc:mitid"]
    assert person["role"] == "resident"

    user = await db.fetchrow("SELECT * FROM users WHERE id = $1", person["id"])
    assert user["verified_at"] == clock.now()
    assert user["email_verified_via"] == "provider"
    assert user["password_hash"] == "!unusable"
    identity = await db.fetchrow("SELECT * FROM user_identities WHERE user_id = $1", user["id"])
    assert identity["provider"] == "mitid"
    assert identity["subject_hash"] == hmac.new(SECRET.encode(), cpr.encode(),
                                                hashlib.sha256).digest()
    assert identity["created_at"] == identity["last_used_at"] == clock.now()
    checks = await db.fetch("SELECT provider, resident FROM residency_checks")
    assert [tuple(r) for r in checks] == [("mitid", True)]
    session = await db.fetchrow("SELECT provider FROM auth_tokens WHERE user_id = $1", user["id"])
    assert session["provider"] == "mitid"
    # Neither the subject (a CPR number here) nor any claim's value is kept anywhere.
    for table in ("users", "user_identities", "residency_checks", "auth_tokens",
                  "oidc_sign_ins_finished"):
        rows = await db.fetch(f"SELECT row_to_json(t)::text AS row FROM {table} t")
        assert not [r for r in rows if cpr in r["row"] or '"751"' in r["row"]], table


async def test_a_second_sign_in_finds_the_same_account(client, app, oidc_mock, db, clock):
    claims = {"name": "Bo Berg", "kommunekode": "0751"}
    assert (await sign_in(client, oidc_mock, "bo-sub", claims)).status_code == 303
    first = await me(client)
    first_time = clock.now()
    clock.advance(timedelta(seconds=30))
    async with another_browser(app) as other:
        assert (await sign_in(other, oidc_mock, "bo-sub")).status_code == 303
        assert (await me(other))["id"] == first["id"]
    assert await db.fetchval("SELECT count(*) FROM users") == 1
    identity = await db.fetchrow("SELECT created_at, last_used_at FROM user_identities")
    assert identity["created_at"] == first_time
    assert identity["last_used_at"] == clock.now()
    assert await db.fetchval("SELECT count(*) FROM residency_checks") == 2
    # The first sign-in made the person verified; later ones keep that time.
    assert await db.fetchval("SELECT verified_at FROM users") == first_time
    # Each sign-in is a session of its own.
    assert await db.fetchval("SELECT count(*) FROM auth_tokens WHERE kind = 'session'") == 2


async def test_a_verified_email_links_an_existing_account(client, oidc_mock, db):
    existing, _ = await make_user(db, email="carl@example.dk", display_name="Carl")
    answer = await sign_in(client, oidc_mock, "carl-sub", {
        "name": "Carl Christensen", "email": "CARL@example.dk", "email_verified": True})
    assert answer.status_code == 303
    person = await me(client)
    assert person["id"] == existing.id
    assert person["display_name"] == "Carl"  # the name they chose stays
    assert person["sign_in_methods"] == ["password", "oidc:mitid"]
    assert await db.fetchval("SELECT count(*) FROM users") == 1


async def test_an_unverified_email_links_nothing(client, oidc_mock, db):
    existing, _ = await make_user(db, email="dora@example.dk")
    answer = await sign_in(client, oidc_mock, "dora-sub", {
        "name": "Dora", "email": "dora@example.dk", "email_verified": False})
    assert answer.status_code == 303
    person = await me(client)
    assert person["id"] != existing.id
    # An address the provider does not vouch for is not taken either.
    assert person["email"] is None and person["email_verified"] is False
    assert person["sign_in_methods"] == ["oidc:mitid"]
    assert await db.fetchval("SELECT count(*) FROM user_identities WHERE user_id = $1",
                             existing.id) == 0
    # The provider still vouches for a real person.
    assert await db.fetchval("SELECT verified_at IS NOT NULL FROM users WHERE id = $1",
                             person["id"])


async def test_a_staff_provider_makes_staff_but_never_demotes(client, app, oidc_mock, db):
    answer = await sign_in(client, oidc_mock, "emil-sub", {"name": "Emil"}, provider="ansat")
    assert answer.status_code == 303
    emil = await me(client)
    assert emil["role"] == "staff" and emil["sign_in_methods"] == ["oidc:ansat"]

    admin, _ = await make_user(db, role="admin", email="fie@kommune.dk")
    async with another_browser(app) as other:
        answer = await sign_in(other, oidc_mock, "fie-sub", {
            "email": "fie@kommune.dk", "email_verified": True}, provider="ansat")
        assert answer.status_code == 303
        fie = await me(other)
    assert fie["id"] == admin.id and fie["role"] == "admin"


async def test_residency_is_recorded_yes_or_no_at_every_sign_in(client, oidc_mock, db):
    assert (await sign_in(client, oidc_mock, "gry-sub", {"kommunekode": "0751"})).status_code \
        == 303
    assert (await me(client))["residency_verified"] is True
    # Gry moves to another municipality: her next sign-in says so.
    assert (await sign_in(client, oidc_mock, "gry-sub", {"kommunekode": "101"})).status_code \
        == 303
    assert (await me(client))["residency_verified"] is False
    # A sign-in without the claim is not a resident's.
    assert (await sign_in(client, oidc_mock, "hans-sub", {"name": "Hans"})).status_code == 303
    assert (await me(client))["residency_verified"] is False
    # A staff provider without a residence claim records nothing.
    assert (await sign_in(client, oidc_mock, "ida-sub", {"kommunekode": "751"},
                          provider="ansat")).status_code == 303
    rows = await db.fetch("SELECT provider, resident FROM residency_checks ORDER BY id")
    assert [tuple(r) for r in rows] == [("mitid", True), ("mitid", False), ("mitid", False)]


async def test_a_wrong_state_is_refused(client, oidc_mock, db):
    await oidc_mock.set_claims("jens-sub", {"name": "Jens"})
    back = await oidc_mock.authorize(await start(client), "jens-sub")
    state = query_of(back)["state"]
    answer = await client.get(path_of(back).replace(state, "x" + state[1:]))
    assert answer.status_code == 400
    assert "ikke det, denne browser startede" in answer.text
    assert SESSION_COOKIE not in answer.cookies
    assert await db.fetchval("SELECT count(*) FROM users") == 0
    # Nor is the right state any good without the browser's cookie (another browser).
    answer = await client.get(path_of(back))
    assert answer.status_code == 400
    assert "startet i en anden browser" in answer.text


async def test_a_callback_replayed_with_its_cookie_is_refused(client, oidc_mock):
    await oidc_mock.set_claims("kim-sub", {"name": "Kim"})
    back = await oidc_mock.authorize(await start(client), "kim-sub")
    cookie = client.cookies[COOKIE]
    assert (await client.get(path_of(back))).status_code == 303
    client.cookies.set(COOKIE, cookie, path="/signin/oidc")
    answer = await client.get(path_of(back))
    assert answer.status_code == 400
    assert "allerede gjort færdigt" in answer.text


async def test_a_replayed_code_is_refused_by_the_provider(client, oidc_mock):
    await oidc_mock.set_claims("lis-sub", {"name": "Lis"})
    back = await oidc_mock.authorize(await start(client), "lis-sub")
    assert (await client.get(path_of(back))).status_code == 303
    # A fresh sign-in's state, with the code already traded.
    fresh = query_of(await start(client))
    answer = await client.get("/signin/oidc/mitid/callback",
                              params={"code": query_of(back)["code"], "state": fresh["state"]})
    assert answer.status_code == 400
    assert "kan være brugt allerede" in answer.text


async def test_an_expired_id_token_is_refused(client, oidc_mock, clock: FrozenClock, db):
    await oidc_mock.set_claims("mona-sub", {"name": "Mona"})
    back = await oidc_mock.authorize(await start(client), "mona-sub")
    # The mock stamps the token when the code is traded; by ideabox's clock that is now
    # past its expiry and the allowed skew (yet within the pending sign-in's lifetime).
    moved = timedelta(seconds=MOCK_TOKEN_SECONDS + CLOCK_SKEW_SECONDS + 5)
    assert moved < LIFETIME
    clock.advance(moved)
    answer = await client.get(path_of(back))
    assert answer.status_code == 502
    assert "en identitet, vi ikke kunne bekræfte" in answer.text
    assert await db.fetchval("SELECT count(*) FROM users") == 0


async def test_a_cancelled_sign_in_says_so(client, oidc_mock):
    back = await oidc_mock.authorize(await start(client), None, action="deny")
    assert query_of(back)["error"] == "access_denied"
    answer = await client.get(path_of(back))
    assert answer.status_code == 403
    assert "Log ind med MitID blev afbrudt eller afvist" in answer.text
    assert 'href="/signin?next=/"' in answer.text


async def test_where_to_go_back_to_is_a_path_on_this_site(client, oidc_mock):
    answer = await sign_in(client, oidc_mock, "nina-sub", {"name": "Nina"},
                           next_path="https://evil.example/")
    assert answer.headers["location"] == "/"


async def test_an_unknown_provider_is_a_404_page(client):
    answer = await client.get("/signin/oidc/facebook")
    assert answer.status_code == 404
    assert "Der er ingen måde at logge ind på, der hedder &#39;facebook&#39;" in answer.text


async def test_the_sign_in_page_has_a_button_per_provider(client):
    page = (await client.get("/signin?next=/me")).text
    assert '<a class="button button--provider" href="/signin/oidc/mitid?next=/me">' \
           "Log ind med MitID</a>" in page
    assert "Log ind med Medarbejderlogin" in page
    english = (await client.get("/signin", headers={"accept-language": "en"})).text
    assert "Sign in with MitID" in english


async def test_signing_out_goes_on_to_the_providers_sign_out(client, oidc_mock):
    assert (await sign_in(client, oidc_mock, "ole-sub", {"name": "Ole"})).status_code == 303
    answer = await submit(client, "/signout", {})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signout/oidc/mitid"
    assert (await client.get(f"{API}/me")).status_code == 401  # ideabox's session is over
    page = await client.get("/signout/oidc/mitid")
    assert page.status_code == 200
    end = f"{oidc_mock.issuer}/oauth2/end_session?client_id=ideabox&amp;" \
          f"post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2F"
    assert f'content="0; url={end}"' in page.text
    assert f'href="{end}"' in page.text


async def test_a_password_session_signs_out_here_only(client, db):
    await make_user(db, email="pia@example.dk")
    await submit(client, "/signin", {"email": "pia@example.dk",
                                     "password": "correct horse battery", "next": "/"})
    answer = await submit(client, "/signout", {})
    assert answer.headers["location"] == "/"


async def test_the_export_lists_the_providers_but_no_subject(client, oidc_mock):
    assert (await sign_in(client, oidc_mock, "per-sub", {"name": "Per"})).status_code == 303
    data = (await client.get(f"{API}/me/export")).json()
    assert [i["provider"] for i in data["identities"]] == ["mitid"]
    assert set(data["identities"][0]) == {"provider", "created_at", "last_used_at"}
    assert "per-sub" not in str(data)


def test_the_pkce_challenge_is_s256_of_the_verifier():
    from ideabox.identity.oidc.pending import begin
    from tests.conftest import NOW
    pending = begin("mitid", "/", NOW)
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert pending.code_challenge == urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert 43 <= len(pending.code_verifier) <= 128


async def test_no_subject_is_stored_in_clear(db: asyncpg.Connection) -> None:
    columns = await db.fetch("SELECT column_name FROM information_schema.columns "
                             "WHERE table_name = 'user_identities'")
    assert {c["column_name"] for c in columns} == {
        "id", "user_id", "provider", "subject_hash", "created_at", "last_used_at"}


async def test_my_page_of_a_person_without_password_or_address(client, oidc_mock):
    assert (await sign_in(client, oidc_mock, "rita-sub", {"name": "Rita"})).status_code == 303
    page = (await client.get("/me")).text
    assert "Logget ind som Rita.</p>" in page
    assert 'action="/me/password"' not in page
    assert "din profil har ingen adgangskode at skifte" in page
