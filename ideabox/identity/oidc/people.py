"""Who a provider's sign-in is: the account of its subject, found by a keyed hash of the
subject, linked by a verified e-mail address, or made new; and what the sign-in says
about the person (verified, staff, resident).

Only the subject's HMAC under the secret key is kept, never the subject itself (for MitID
it can be a CPR number), nor any other claim: of a residence claim, only whether its
value made the person a resident.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from ideabox.accounts import service as accounts
from ideabox.accounts.schemas import DISPLAY_NAME_MAX, Viewer
from ideabox.identity.email import mark_verified
from ideabox.identity.residency import record_residency
from ideabox.platform.db import Db
from ideabox.platform.oidc import OidcProvider
from ideabox.platform.validation import EMAIL_PATTERN
from ideabox.services import Services

_EMAIL = re.compile(EMAIL_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def subject_hash(secret_key: str, subject: str) -> bytes:
    """The subject as ideabox keeps it: HMAC-SHA256 under the secret key, so that the
    table alone does not say who anyone is, nor lets a guessed CPR number be checked."""
    return hmac.new(secret_key.encode(), subject.encode(), hashlib.sha256).digest()


def verified_email(claims: dict[str, Any]) -> str | None:
    """The e-mail address the provider vouches for, or None (none given, or not verified)."""
    email = claims.get("email")
    # Some providers (Amazon Cognito) send the flag as a string.
    verified = claims.get("email_verified") in (True, "true")
    if not verified or not isinstance(email, str) or len(email) > 254:
        return None
    return email.lower() if _EMAIL.match(email) else None


def _one_line(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(_CONTROL.sub(" ", value).split())[:DISPLAY_NAME_MAX].strip()


def display_name(claims: dict[str, Any], provider: OidcProvider) -> str:
    """A name to show for a new account: the provider's, else a word for what they are."""
    name = _one_line(claims.get("name")) or _one_line(
        f"{_one_line(claims.get('given_name'))} {_one_line(claims.get('family_name'))}")
    if name:
        return name
    return "Medarbejder" if provider.role == "staff" else "Borger"


def is_resident(claims: dict[str, Any], provider: OidcProvider) -> bool:
    """Whether the residence claim's value is one the provider's configuration lists (a
    missing claim is not)."""
    value = claims.get(provider.residence_claim or "")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return False
    return str(value) in provider.residence_values


# Two first sign-ins of one subject at once must not make two accounts: the second waits
# for the first (the lock is the transaction's) and then finds its identity.
_LOCK = """
SELECT pg_advisory_xact_lock(hashtextextended('oidc:' || $1 || ':' || encode($2, 'hex'), 0))
"""

_FIND_IDENTITY = """
UPDATE user_identities SET last_used_at = $3
WHERE provider = $1 AND subject_hash = $2
RETURNING user_id
"""

_FIND_BY_EMAIL = "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL"

_ADD_IDENTITY = """
INSERT INTO user_identities (user_id, provider, subject_hash, created_at, last_used_at)
VALUES ($1, $2, $3, $4, $4)
"""

# A municipality's provider vouches for a real person: the account is a verified person
# from its first sign-in through it (not before: coalesce keeps the first time).
_VERIFIED = """
UPDATE users SET verified_at = coalesce(verified_at, $2) WHERE id = $1
RETURNING email
"""

# Staff providers make their people staff, but never take a moderator's or an admin's
# role away.
_MAKE_STAFF = "UPDATE users SET role = 'staff' WHERE id = $1 AND role = 'resident' RETURNING id"

async def sign_in_person(db: Db, services: Services, provider: OidcProvider,
                         claims: dict[str, Any]) -> Viewer:
    """The person a provider's verified claims describe, their account found, linked or
    made, and what the sign-in says about them recorded. Runs in its own (nested)
    transaction."""
    conn = db.conn
    assert services.settings.secret_key
    digest = subject_hash(services.settings.secret_key, claims["sub"])
    email = verified_email(claims)
    async with conn.transaction():
        await conn.execute(_LOCK, provider.name, digest)
        user_id = await conn.fetchval(_FIND_IDENTITY, provider.name, digest, db.now)
        if user_id is None:
            # A new subject joins the account of the address the provider vouches for;
            # an address it does not vouch for could be anyone's, and links nothing.
            if email is not None:
                user_id = await conn.fetchval(_FIND_BY_EMAIL, email)
            if user_id is None:
                made = await accounts.register_user_from_provider(
                    db, email, display_name(claims, provider))
                user_id = made.id
            await conn.execute(_ADD_IDENTITY, user_id, provider.name, digest, db.now)
        account_email = await conn.fetchval(_VERIFIED, user_id, db.now)
        if email is not None and account_email == email:
            await mark_verified(db, user_id, "provider")
        if provider.role == "staff" and await conn.fetchval(_MAKE_STAFF, user_id):
            # Their ideas show the author's role; the cached copies must go.
            services.ideas.author_changed(db, user_id)
        if provider.residence_claim:
            await record_residency(db, user_id, vouched_by=provider.name,
                                   resident=is_resident(claims, provider))
        return await accounts.get_viewer(conn, user_id)
