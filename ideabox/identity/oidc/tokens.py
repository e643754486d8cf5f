"""Checking an ID token (OpenID Connect Core 1.0, 3.1.3.7) with joserfc: its signature by
one of the provider's keys, and its issuer, audience, nonce and times against ideabox's
clock. Nothing here parses or verifies JOSE by hand."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import Key, KeySet

# Tokens signed with the provider's private key only: a shared-secret signature (HS256)
# would let anyone holding the client secret make tokens, and "none" signs nothing.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
              "ES512", "EdDSA")
# How far the provider's clock may be from ours.
CLOCK_SKEW_SECONDS = 60


class TokenRejected(Exception):
    """The ID token is not one ideabox may believe; the message says why (for the log)."""


class UnknownKey(TokenRejected):
    """The token is signed with a key the provider's key set (as we hold it) lacks."""


def verify_id_token(token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str,
                    now: datetime, algorithms: Collection[str]) -> dict[str, Any]:
    """The claims of ``token`` once its signature and claims hold; else TokenRejected
    (UnknownKey when no key of ``keys`` is the one it names)."""
    allowed = [alg for alg in algorithms if alg in ALGORITHMS]
    if not allowed:
        raise TokenRejected(f"the provider signs with none of {ALGORITHMS}: {algorithms}")
    claims = _verified_claims(token, keys, allowed)
    registry = jwt.JWTClaimsRegistry(
        now=int(now.timestamp()), leeway=CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise TokenRejected(f"claims: {exc}") from None
    # Core 3.1.3.7, items 4 and 5: a token for several audiences names the party it was
    # issued to, and that must be us.
    audience = claims["aud"]
    azp = claims.get("azp")
    if (azp is not None or (isinstance(audience, list) and len(audience) > 1)) \
            and azp != client_id:
        raise TokenRejected(f"issued to {azp!r}, not to this client")
    if len(claims["sub"]) > 255:
        raise TokenRejected("the subject is longer than 255 characters")
    return claims


def _verified_claims(token: str, keys: KeySet, algorithms: list[str]) -> dict[str, Any]:
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError) as exc:
        raise TokenRejected(f"not a signed JWT: {exc}") from None
    kid = header.get("kid")
    if kid is not None:
        candidates = [key for key in keys if key.kid == kid]
    else:
        # A provider with one key may leave its id out; then any key of ours that suits
        # the algorithm is tried.
        candidates = [key for key in keys if _suits(key, header.get("alg"))]
    if not candidates:
        raise UnknownKey(f"no key {kid!r} in the provider's key set")
    failure: Exception | None = None
    for key in candidates:
        try:
            return jwt.decode(token, key, algorithms=algorithms).claims
        except InvalidKeyIdError as exc:
            failure = UnknownKey(str(exc))
        except (JoseError, ValueError) as exc:
            failure = TokenRejected(f"signature: {exc}")
    assert failure is not None
    raise failure


def _suits(key: Key, alg: object) -> bool:
    wanted = key.get("alg")
    if wanted is not None:
        return bool(wanted == alg)
    kinds = {"R": "RSA", "P": "RSA", "E": "EC"}
    if alg == "EdDSA":
        return key.key_type == "OKP"
    return isinstance(alg, str) and key.key_type == kinds.get(alg[:1])
