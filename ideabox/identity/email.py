"""E-mail verification (double opt-in): a link with a secret is mailed to the address;
following it, and clicking once more (a POST, so that mail scanners fetching links
confirm nothing), confirms the address and makes the account a verified person.

Only the secret's hash is kept. A link is single use, expires after
``VERIFICATION_HOURS``, and confirms only the address it was sent to. Asking for a new
link leaves the older ones valid until they expire (a person may open any of their
mails), but each confirms the same address once.
"""

from __future__ import annotations

import msgspec

from ideabox.accounts.tokens import new_token, token_hash
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Invalid

VERIFICATION_HOURS = 48


class Started(msgspec.Struct, frozen=True):
    """A confirmation link to send: the secret and the address it confirms."""

    user_id: int
    email: str
    display_name: str
    token: str


_START = """
INSERT INTO email_verifications (user_id, email, token_hash, created_at, expires_at)
SELECT u.id, u.email, $2, $3::timestamptz, $3::timestamptz + make_interval(hours => $4)
FROM users u
WHERE u.id = $1 AND u.deleted_at IS NULL AND u.email IS NOT NULL
  AND u.email_verified_at IS NULL
RETURNING email, (SELECT display_name FROM users WHERE id = $1) AS display_name
"""

# The link is used up and the address confirmed in one statement, and only together:
# a link for an address the account no longer has stays unused. The account becomes a
# verified person then, unless it already was (by a provider, say). Two presses of one
# link at once queue on the row lock; the second finds the link used.
_CONFIRM = """
WITH link AS (
    SELECT v.id, v.user_id
    FROM email_verifications v JOIN users u ON u.id = v.user_id
    WHERE v.token_hash = $1 AND v.used_at IS NULL AND v.expires_at > $2
      AND u.email = v.email AND u.deleted_at IS NULL AND u.email_verified_at IS NULL
    FOR UPDATE OF v, u
), used AS (
    UPDATE email_verifications v SET used_at = $2 FROM link WHERE v.id = link.id
)
UPDATE users u
SET email_verified_at = $2, email_verified_via = 'link',
    verified_at = coalesce(u.verified_at, $2)
FROM link
WHERE u.id = link.user_id
RETURNING u.id
"""

# Why a link did not confirm anything, for the answer.
_WHY_NOT = """
SELECT v.used_at IS NOT NULL AS used, v.expires_at <= $2 AS expired,
       u.email_verified_at IS NOT NULL AND u.email = v.email AS already,
       u.deleted_at IS NOT NULL OR u.email IS DISTINCT FROM v.email AS stale
FROM email_verifications v JOIN users u ON u.id = v.user_id
WHERE v.token_hash = $1
"""


async def start(db: Db, user_id: int) -> Started | None:
    """A new confirmation link for the account's address; None when there is nothing to
    confirm (already confirmed, no address, or a deleted account)."""
    token = new_token()
    row = await db.conn.fetchrow(_START, user_id, token_hash(token), db.now,
                                 VERIFICATION_HOURS)
    if row is None:
        return None
    return Started(user_id=user_id, email=row["email"], display_name=row["display_name"],
                   token=token)


async def confirm(db: Db, token: str) -> int:
    """Confirm the address a link was sent to; the account's id. A link that is unknown,
    used, expired or for an address the account no longer has is refused, saying which."""
    if not token or len(token) > 200:
        raise Invalid("token", "verification_unknown")
    digest = token_hash(token)
    user_id = await db.conn.fetchval(_CONFIRM, digest, db.now)
    if user_id is not None:
        return int(user_id)
    why = await db.conn.fetchrow(_WHY_NOT, digest, db.now)
    if why is None:
        raise Invalid("token", "verification_unknown")
    if why["already"]:
        raise Conflict("verification_already_done")
    if why["used"]:
        raise Invalid("token", "verification_used")
    if why["expired"]:
        raise Invalid("token", "verification_expired", hours=VERIFICATION_HOURS)
    raise Invalid("token", "verification_stale")


async def mark_verified(db: Db, user_id: int, via: str) -> None:
    """Mark an address confirmed without a link: by a command (``create-admin``), the
    demo's seed, or an OpenID provider whose ID token says ``email_verified``."""
    await db.conn.execute(
        """UPDATE users SET email_verified_at = $2, email_verified_via = $3,
                            verified_at = coalesce(verified_at, $2)
           WHERE id = $1 AND email IS NOT NULL AND email_verified_at IS NULL""",
        user_id, db.now, via)
