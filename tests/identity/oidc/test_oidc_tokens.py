"""What ideabox believes of a provider's answers, against the tests' own provider (a real
HTTP server on the loopback address): ID tokens for another audience, from another
issuer, with another nonce or signed by a stranger are refused; rolled keys are fetched
again, once; missing claims come from the userinfo endpoint; the client authenticates as
the discovery document says; a provider that hangs or is down gets an error page."""

from __future__ import annotations

import hashlib
from base64 import b64encode, urlsafe_b64encode
from datetime import timedelta
from typing import Any

import httpx
import msgspec
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from ideabox.identity.oidc.tokens import CLOCK_SKEW_SECONDS
from ideabox.platform.clock import FrozenClock
from tests.identity.providers import OwnProvider, query_of, rsa_key

API = "/api/v1"
SUB = "own-subject-1"


async def begin(client: httpx.AsyncClient) -> dict[str, str]:
    """Start a sign-in through the own provider; what ideabox sent it."""
    answer = await client.get("/signin/oidc/own")
    assert answer.status_code == 303, answer.text
    return query_of(answer.headers["location"])


def claims(own: OwnProvider, sent: dict[str, str], clock: FrozenClock,
           **changes: Any) -> dict[str, Any]:
    now = int(clock.now().timestamp())
    made = {"iss": own.issuer, "aud": own.client_id, "sub": SUB, "iat": now,
            "exp": now + 300, "nonce": sent["nonce"], "name": "Ulla Own",
            "email": "ulla@example.dk", "email_verified": True, "kommunekode": "751"}
    made.update(changes)
    return {k: v for k, v in made.items() if v is not None}


async def come_back(client: httpx.AsyncClient, sent: dict[str, str],
                    **params: str) -> httpx.Response:
    return await client.get("/signin/oidc/own/callback",
                            params={"code": "code-1", "state": sent["state"], **params})


async def signed_in_as(client: httpx.AsyncClient) -> dict[str, Any] | None:
    answer = await client.get(f"{API}/me")
    return answer.json() if answer.status_code == 200 else None


async def test_a_good_token_signs_in(client, own, clock):
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock)
    assert (await come_back(client, sent)).status_code == 303
    person = await signed_in_as(client)
    assert person and person["sign_in_methods"] == ["oidc:own"]
    assert person["residency_verified"] is True


@pytest.mark.parametrize(("why", "changes"), [
    ("another audience", {"aud": "someone-else"}),
    ("several audiences, not issued to us", {"aud": ["ideabox-own", "someone-else"]}),
    ("issued to another party", {"azp": "someone-else"}),
    ("another issuer", {"iss": "https://evil.example"}),
    ("another nonce", {"nonce": "a-nonce-from-another-sign-in"}),
    ("no nonce", {"nonce": None}),
    ("no subject", {"sub": None}),
    ("no expiry", {"exp": None}),
    ("expired", {"exp_ago": CLOCK_SKEW_SECONDS + 1}),
    ("issued in the future", {"iat_ahead": CLOCK_SKEW_SECONDS + 5}),
])
async def test_a_token_that_is_not_for_us_is_refused(client, own, clock, db, why, changes):
    sent = await begin(client)
    now = int(clock.now().timestamp())
    if "exp_ago" in changes:
        changes = {"exp": now - changes["exp_ago"]}
    if "iat_ahead" in changes:
        changes = {"iat": now + changes["iat_ahead"]}
    own.next_claims = claims(own, sent, clock, **changes)
    answer = await come_back(client, sent)
    assert answer.status_code == 502, why
    assert "Eget login sendte en identitet, vi ikke kunne bekræfte" in answer.text
    assert await signed_in_as(client) is None
    assert await db.fetchval("SELECT count(*) FROM users") == 0


async def test_the_clock_may_be_a_little_off(client, own, clock):
    sent = await begin(client)
    now = int(clock.now().timestamp())
    own.next_claims = claims(own, sent, clock, iat=now + CLOCK_SKEW_SECONDS - 5,
                             exp=now - CLOCK_SKEW_SECONDS + 5)
    assert (await come_back(client, sent)).status_code == 303


async def test_several_audiences_are_fine_when_issued_to_us(client, own, clock):
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock, aud=["ideabox-own", "graph"], azp="ideabox-own")
    assert (await come_back(client, sent)).status_code == 303


async def test_rolled_keys_are_fetched_again_once(client, own, clock):
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock)
    assert (await come_back(client, sent)).status_code == 303
    assert own.jwks_requests == 1

    # The provider rolls its keys: the next token names one ideabox has not seen.
    rolled = rsa_key("own-2")
    own.signing_key, own.published = rolled, [rolled]
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock)
    assert (await come_back(client, sent)).status_code == 303
    assert own.jwks_requests == 2

    # A key nobody publishes: refused, and moments after a fetch the keys are not
    # fetched again for it (forged tokens must not make ideabox hammer the provider).
    sent = await begin(client)
    own.next_token = own.id_token(claims(own, sent, clock), key=rsa_key("own-3"))
    assert (await come_back(client, sent)).status_code == 502
    assert own.jwks_requests == 2


async def test_a_signature_by_another_key_under_a_known_id_is_refused(client, own, clock):
    sent = await begin(client)
    impostor = rsa_key("own-1")  # the published key's id, another key
    own.next_token = own.id_token(claims(own, sent, clock), key=impostor)
    assert (await come_back(client, sent)).status_code == 502
    assert await signed_in_as(client) is None


def _unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return urlsafe_b64encode(msgspec.json.encode(value)).rstrip(b"=").decode()
    return f"{part({'alg': 'none'})}.{part(claims)}."


async def test_unsigned_and_shared_secret_tokens_are_refused(client, own, clock):
    sent = await begin(client)
    own.next_token = _unsigned(claims(own, sent, clock))
    assert (await come_back(client, sent)).status_code == 502

    # Signed with the client secret (HS256): anyone holding the secret could make it.
    sent = await begin(client)
    secret = OctKey.import_key("own-secret-which-is-long-enough-for-hs256")
    own.next_token = jwt.encode({"alg": "HS256", "kid": "own-1"}, claims(own, sent, clock),
                                secret)
    assert (await come_back(client, sent)).status_code == 502
    assert await signed_in_as(client) is None


async def test_missing_claims_come_from_the_userinfo_endpoint(client, own, clock, db):
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock, kommunekode=None, email=None,
                             email_verified=None, name=None)
    own.userinfo = {"sub": SUB, "kommunekode": "0751", "email": "vera@example.dk",
                    "email_verified": True, "given_name": "Vera", "family_name": "Vang"}
    assert (await come_back(client, sent)).status_code == 303
    assert own.userinfo_requests == 1
    person = await signed_in_as(client)
    assert person is not None
    assert (person["display_name"], person["email"], person["email_verified"],
            person["residency_verified"]) == ("Vera Vang", "vera@example.dk", True, True)


async def test_no_userinfo_request_when_the_token_says_it_all(client, own, clock):
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock)
    assert (await come_back(client, sent)).status_code == 303
    assert own.userinfo_requests == 0


async def test_userinfo_about_another_subject_is_refused(client, own, clock):
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock, kommunekode=None)
    own.userinfo = {"sub": "someone-else", "kommunekode": "751"}
    answer = await come_back(client, sent)
    assert answer.status_code == 502
    assert "Eget login svarede på en måde, vi ikke kan bruge" in answer.text
    assert await signed_in_as(client) is None


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
async def test_the_client_authenticates_as_the_discovery_says(client, own, clock, method):
    own.auth_methods = [method]
    authorize = await client.get("/signin/oidc/own")
    sent = query_of(authorize.headers["location"])
    own.next_claims = claims(own, sent, clock)
    assert (await come_back(client, sent)).status_code == 303
    [request] = own.token_requests
    form = request["form"]
    assert form["grant_type"] == "authorization_code" and form["code"] == "code-1"
    assert form["redirect_uri"] == "http://127.0.0.1:8000/signin/oidc/own/callback"
    # PKCE: the verifier ideabox sends is the one whose S256 it sent before.
    digest = hashlib.sha256(form["code_verifier"].encode()).digest()
    assert urlsafe_b64encode(digest).rstrip(b"=").decode() == sent["code_challenge"]
    if method == "client_secret_post":
        assert (form["client_id"], form["client_secret"]) == ("ideabox-own", "own-secret")
        assert request["authorization"] is None
    else:
        assert "client_secret" not in form
        assert request["authorization"] == "Basic " + b64encode(
            b"ideabox-own:own-secret").decode()


async def test_a_provider_that_does_not_answer_gets_an_error_page(client, own, clock):
    sent = await begin(client)
    own.hang = True
    answer = await come_back(client, sent)
    assert answer.status_code == 504
    assert "Eget login svarede ikke i tide" in answer.text


async def test_a_provider_that_is_down_gets_an_error_page(client):
    answer = await client.get("/signin/oidc/nede")
    assert answer.status_code == 502
    assert "Vi kunne ikke få forbindelse til Nede" in answer.text


async def test_a_provider_error_is_shown_with_its_code(client, own):
    sent = await begin(client)
    answer = await come_back(client, sent, error="temporarily_unavailable")
    assert answer.status_code == 502
    assert "(svaret var &#39;temporarily_unavailable&#39;)" in answer.text
    # Anything else it says is not repeated.
    answer = await come_back(client, await begin(client), error="<b>bad</b>")
    assert "(svaret var &#39;unknown_error&#39;)" in answer.text


async def test_an_answer_from_another_issuer_is_refused(client, own, clock):
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock)
    answer = await come_back(client, sent, iss="https://evil.example")
    assert answer.status_code == 502
    assert own.token_requests == []  # the code was never sent anywhere


async def test_time_moves_on_and_the_pending_sign_in_expires(client, own, clock):
    sent = await begin(client)
    clock.advance(timedelta(minutes=10, seconds=1))
    own.next_claims = claims(own, sent, clock)
    answer = await come_back(client, sent)
    assert answer.status_code == 400
    assert "det tog mere end 10 minutter" in answer.text
    assert own.token_requests == []


async def test_a_provider_without_userinfo_goes_by_the_id_token(client, own, clock, db):
    own.userinfo_endpoint = False  # before ideabox reads the discovery document
    sent = await begin(client)
    own.next_claims = claims(own, sent, clock, kommunekode=None)
    assert (await come_back(client, sent)).status_code == 303
    assert own.userinfo_requests == 0
    assert (await signed_in_as(client) or {})["residency_verified"] is False
