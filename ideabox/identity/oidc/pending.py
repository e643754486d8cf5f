"""A sign-in on its way through a provider: what the callback needs to finish it (state,
nonce, PKCE verifier, the provider, where to go back to), from the moment the browser is
sent to the provider until it comes back, at most ``LIFETIME``.

It travels in a cookie of its own, encrypted and authenticated with a key derived from
the secret key (JWE, dir + A256GCM): nothing is kept on the server for a visitor who
merely opens the sign-in address, any instance can finish a sign-in another started, and
it works while Redis is down (sign-in never depends on the cache). The browser cannot
read or change it, and an address copied into another browser finds no cookie there.
A cookie is replayable, though, so the callback records each state it finishes in
PostgreSQL (``consume``): a second use of the same sign-in is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta

import asyncpg
import msgspec
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

COOKIE = "ideabox_oidc"
# The cookie is sent only to the sign-in routes.
COOKIE_PATH = "/signin/oidc"
LIFETIME = timedelta(minutes=10)
_ALGORITHMS = ["dir", "A256GCM"]


class Pending(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    state: str
    nonce: str
    code_verifier: str
    # A path on this site (already checked with ``local_path``).
    next: str
    expires_at: datetime

    @property
    def code_challenge(self) -> str:
        """The PKCE S256 challenge for the verifier (RFC 7636, 4.2)."""
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        return urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin(provider: str, next_path: str, now: datetime) -> Pending:
    """A new pending sign-in with fresh secrets."""
    return Pending(provider=provider, state=secrets.token_urlsafe(32),
                   nonce=secrets.token_urlsafe(32),
                   # 64 random bytes: 86 characters, within RFC 7636's 43 to 128.
                   code_verifier=secrets.token_urlsafe(64), next=next_path,
                   expires_at=now + LIFETIME)


def _key(secret_key: str) -> OctKey:
    # A key of its own for these cookies, so that no other use of the secret key can be
    # turned against them.
    raw = hmac.new(secret_key.encode(), b"ideabox oidc pending sign-in", "sha256").digest()
    return OctKey.import_key(raw)


def seal(secret_key: str, pending: Pending) -> str:
    """The cookie's value."""
    return jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, msgspec.json.encode(pending),
                               _key(secret_key), algorithms=_ALGORITHMS)


def unseal(secret_key: str, value: str | None, now: datetime) -> Pending | None:
    """The pending sign-in a cookie holds; None when there is none, it was not made by
    ideabox with this key, or it has expired."""
    if not value or len(value) > 4096:
        return None
    try:
        plaintext = jwe.decrypt_compact(value, _key(secret_key), algorithms=_ALGORITHMS).plaintext
        pending = msgspec.json.decode(plaintext or b"", type=Pending)
    except (JoseError, ValueError, msgspec.DecodeError, msgspec.ValidationError):
        return None
    return pending if pending.expires_at > now else None


def state_matches(pending: Pending, state: str | None) -> bool:
    return state is not None and hmac.compare_digest(pending.state.encode(),
                                                     state.encode("utf-8", "replace"))


_CONSUME = """
INSERT INTO oidc_sign_ins_finished (state_hash, expires_at) VALUES ($1, $2)
ON CONFLICT (state_hash) DO NOTHING
RETURNING true
"""
# A finished state need only be remembered as long as its cookie could be replayed.
_FORGET_EXPIRED = "DELETE FROM oidc_sign_ins_finished WHERE expires_at < $1"


async def consume(conn: asyncpg.Connection, pending: Pending, now: datetime) -> bool:
    """Record the pending sign-in as finished; False if it was already (a replay). Each
    statement commits by itself, so two callbacks at once cannot both pass."""
    await conn.execute(_FORGET_EXPIRED, now)
    digest = hashlib.sha256(pending.state.encode()).digest()
    return bool(await conn.fetchval(_CONSUME, digest, pending.expires_at))
