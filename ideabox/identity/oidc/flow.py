"""The authorization code flow (OpenID Connect Core 1.0, 3.1) with PKCE: sending the
browser to the provider, and finishing the sign-in when it comes back.

``start`` makes the pending sign-in and the provider's authorization address; ``finish``
checks what came back against it, trades the code for the tokens, checks the ID token and
signs the person in. Every way it can fail is an ``IdeaboxError`` with a code the pages
translate; the details are logged.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import msgspec
from joserfc.jwk import KeySet

from ideabox.accounts.schemas import Viewer
from ideabox.identity.oidc import pending as pending_sign_ins
from ideabox.identity.oidc.client import error_code, invalid
from ideabox.identity.oidc.pending import Pending
from ideabox.identity.oidc.people import sign_in_person
from ideabox.identity.oidc.tokens import TokenRejected, UnknownKey, verify_id_token
from ideabox.platform.db import Db
from ideabox.platform.errors import BadGateway, Forbidden, IdeaboxError, NotFound
from ideabox.platform.oidc import OidcProvider
from ideabox.services import Services

log = logging.getLogger(__name__)


class Callback(msgspec.Struct, frozen=True, kw_only=True):
    """What the provider sent the browser back with (RFC 6749, 4.1.2 and 4.1.2.1)."""

    code: str | None = None
    state: str | None = None
    error: str | None = None
    error_description: str | None = None
    # RFC 9207: the issuer of the answer, for providers that say it.
    iss: str | None = None


def provider_named(services: Services, name: str) -> OidcProvider:
    """The configured provider ``name``; 404 for any other name."""
    provider = services.oidc.provider(name)
    if provider is None:
        raise NotFound("oidc_provider_unknown", name=name[:40])
    return provider


def redirect_uri(services: Services, provider: OidcProvider) -> str:
    """Where the provider sends the browser back to, as registered with it."""
    return f"{services.settings.base_url.rstrip('/')}/signin/oidc/{provider.name}/callback"


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


async def start(services: Services, name: str, next_path: str,
                lang: str) -> tuple[str, Pending]:
    """The provider's authorization address to send the browser to, and the pending
    sign-in to keep in its cookie until it comes back."""
    provider = provider_named(services, name)
    discovery = await services.oidc.discover(provider)
    pending = pending_sign_ins.begin(provider.name, next_path, services.now())
    url = _with_query(discovery.authorization_endpoint, {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri(services, provider),
        "scope": provider.scopes,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": pending.code_challenge,
        "code_challenge_method": "S256",
        # The provider's pages in the reader's language, where it has it.
        "ui_locales": lang,
    })
    return url, pending


def _refused(provider: OidcProvider, answer: Callback) -> IdeaboxError:
    error = error_code(answer.error)
    log.info("OpenID provider %s answered the sign-in with error %r", provider.name, error)
    if error in ("access_denied", "login_required", "consent_required",
                 "interaction_required", "account_selection_required"):
        # The person cancelled, or the provider would not let them in: theirs to decide.
        return Forbidden("oidc_denied", provider=provider.label)
    return BadGateway("oidc_provider_error", provider=provider.label, error=error)


def check_return(services: Services, name: str, pending: Pending | None,
                 answer: Callback) -> tuple[OidcProvider, Pending, str]:
    """The provider, the pending sign-in and the code, once what came back belongs to the
    sign-in this browser started."""
    provider = provider_named(services, name)
    if pending is None or pending.provider != provider.name:
        minutes = int(pending_sign_ins.LIFETIME.total_seconds() // 60)
        raise IdeaboxError("oidc_state_missing", minutes=minutes)
    if answer.error is not None and answer.state is None:
        # Some providers leave the state out of a refusal (RFC 6749 wants it). A refusal
        # signs nobody in, so it is shown as it is.
        raise _refused(provider, answer)
    if not pending_sign_ins.state_matches(pending, answer.state):
        # Another sign-in's answer, or one forged to sign this browser in as someone
        # else (login CSRF).
        raise IdeaboxError("oidc_state_mismatch")
    if answer.iss is not None and answer.iss != provider.issuer:
        raise invalid(provider, "the answer's iss is %r (mix-up)", answer.iss)
    if answer.error is not None:
        raise _refused(provider, answer)
    if not answer.code:
        raise invalid(provider, "the answer has neither a code nor an error")
    return provider, pending, answer.code


async def _id_token_claims(services: Services, provider: OidcProvider, pending: Pending,
                           id_token: str) -> dict[str, Any]:
    discovery = await services.oidc.discover(provider)
    now = services.now()

    def verify(keys: KeySet) -> dict[str, Any]:
        return verify_id_token(id_token, keys, issuer=provider.issuer,
                               client_id=provider.client_id, nonce=pending.nonce, now=now,
                               algorithms=discovery.id_token_signing_alg_values_supported)

    try:
        try:
            return verify(await services.oidc.keys(provider))
        except UnknownKey:
            # The provider has rolled its keys since we fetched them: fetch them once more.
            return verify(await services.oidc.keys(provider, again=True))
    except TokenRejected as exc:
        log.warning("OpenID provider %s: ID token refused: %s", provider.name, exc)
        raise BadGateway("oidc_token_invalid", provider=provider.label) from None


def _wants_more(provider: OidcProvider, claims: dict[str, Any]) -> bool:
    """Whether a claim ideabox reads is missing from the ID token (the userinfo endpoint
    may have it)."""
    wanted = ["email", "email_verified", "name"]
    if provider.residence_claim:
        wanted.append(provider.residence_claim)
    return any(claim not in claims for claim in wanted)


async def finish(db: Db, services: Services, name: str, pending: Pending | None,
                 answer: Callback) -> tuple[Viewer, OidcProvider, str]:
    """The person the provider signed in (their account found, linked or made), the
    provider, and the path to send them back to."""
    provider, pending, code = check_return(services, name, pending, answer)
    if not await pending_sign_ins.consume(db.conn, pending, db.now):
        raise IdeaboxError("oidc_state_used")
    tokens = await services.oidc.exchange_code(
        provider, code, redirect_uri=redirect_uri(services, provider),
        code_verifier=pending.code_verifier)
    claims = await _id_token_claims(services, provider, pending, tokens.id_token)
    if tokens.access_token and _wants_more(provider, claims):
        extra = await services.oidc.userinfo(provider, tokens.access_token)
        # Core 5.3.2: the userinfo must be about the same subject, or it is not used.
        if extra and extra.get("sub") != claims["sub"]:
            raise invalid(provider, "the userinfo is about another subject")
        claims = {**extra, **claims}
    # Nothing after this point talks to the provider: the transaction is short.
    await db.begin()
    viewer = await sign_in_person(db, services, provider, claims)
    return viewer, provider, pending.next


async def end_session_url(services: Services, name: str | None) -> str | None:
    """Where to send a browser whose session the provider ``name`` started, to sign out
    there too (OpenID Connect RP-Initiated Logout 1.0); None when there is no such place
    or it cannot be known now (signing out of ideabox must work regardless)."""
    provider = services.oidc.provider(name or "")
    if provider is None:
        return None
    try:
        discovery = await services.oidc.discover(provider)
    except IdeaboxError:
        return None
    if not discovery.end_session_endpoint:
        return None
    # The ID token is not kept (it may carry a CPR number), so the client id says whose
    # session this was instead of an id_token_hint.
    return _with_query(discovery.end_session_endpoint, {
        "client_id": provider.client_id,
        "post_logout_redirect_uri": services.settings.base_url.rstrip("/") + "/",
    })
