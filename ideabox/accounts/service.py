"""Accounts: sign-up, sign-in, sessions and API tokens, roles.

Every function takes the caller's connection (a ``Db`` where it writes: its ``now``
stamps the rows); the caller decides the transaction (a request's, or a command's).
Functions that write more than one statement open their own (nested) transaction, so
they never leave half their work behind.
"""

from __future__ import annotations

import asyncpg

from ideabox.accounts import passwords, sign_ins
from ideabox.accounts.schemas import (
    DISPLAY_NAME_MAX,
    Credentials,
    DataExport,
    ExportedAssistance,
    ExportedComment,
    ExportedFollow,
    ExportedIdea,
    ExportedIdentity,
    ExportedModerationAction,
    ExportedNotification,
    ExportedNotificationSettings,
    ExportedPreference,
    ExportedPurposeFollow,
    ExportedReport,
    ExportedStatusChange,
    ExportedToken,
    ExportedVote,
    Me,
    PasswordChange,
    Role,
    Session,
    Token,
    UserCreate,
    Viewer,
)
from ideabox.accounts.tokens import new_token, token_hash
from ideabox.identity import email as email_verification
from ideabox.identity.eligibility import person_columns, resident_now
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ideabox.platform.validation import trimmed
from ideabox.services import Services

# What ``Me`` is made of, from a users row ``u``.
ME_COLUMNS = f"""
    u.id, u.display_name, u.role, u.email, u.created_at,
    u.email_verified_at IS NOT NULL AS email_verified,
    {resident_now("u")} AS residency_verified,
    array_remove(ARRAY[CASE WHEN u.password_hash LIKE '$argon2%' THEN 'password' END], NULL)
    || ARRAY(SELECT 'oidc:' || ui.provider FROM user_identities ui
             WHERE ui.user_id = u.id ORDER BY ui.provider) AS sign_in_methods
"""  # noqa: S608 - a constant spliced in

# The unique index on email decides a race between two sign-ups with one address.
_INSERT_USER = f"""
INSERT INTO users AS u (email, password_hash, display_name, created_at, signup_address)
VALUES (lower($1), $2, $3, $4, $5)
ON CONFLICT (email) DO NOTHING
RETURNING {ME_COLUMNS}
"""  # noqa: S608 - a constant spliced in; values go as $n

_FIND_FOR_SIGNIN = f"""
SELECT u.id, u.display_name, u.role, u.password_hash, {person_columns("u")}
FROM users u
WHERE u.email = lower($1) AND u.deleted_at IS NULL
"""  # noqa: S608 - a constant spliced in; values go as $n

# Only replaces the hash that was verified, so a password changed meanwhile is never
# undone (by an upgraded hash, or by a second change made at the same time).
_REPLACE_HASH = "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2"

_STORED_HASH = "SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL"

_INSERT_SIGN_IN = """
INSERT INTO auth_tokens (user_id, kind, token_hash, created_at, last_used_at, expires_at,
                         provider)
VALUES ($1, $2, $3, $5::timestamptz, $5::timestamptz,
        $5::timestamptz + make_interval(days => $4::int), $6)
"""

_GET_ME = f"""
SELECT {ME_COLUMNS}
FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL
"""  # noqa: S608 - a constant spliced in; values go as $n

_SET_ROLE = f"""
UPDATE users u SET role = $2
WHERE u.id = $1 AND u.deleted_at IS NULL
RETURNING {ME_COLUMNS}
"""  # noqa: S608 - a constant spliced in; values go as $n

_GET_VIEWER = f"""
SELECT u.id, u.display_name, u.role, {person_columns("u")}
FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL
"""  # noqa: S608 - a constant spliced in; values go as $n


def _me(row: asyncpg.Record) -> Me:
    return Me(**dict(row))


def viewer_of(row: asyncpg.Record) -> Viewer:
    """The person a row of ``person_columns`` (with id, name and role) describes."""
    return Viewer(id=row["id"], display_name=row["display_name"], role=row["role"],
                  verified=row["verified"], resident=row["resident"])


async def get_viewer(conn: asyncpg.Connection, user_id: int) -> Viewer:
    """The person with ``user_id`` as the services see them (for commands and set-up)."""
    row = await conn.fetchrow(_GET_VIEWER, user_id)
    if row is None:
        raise NotFound("user_not_found", id=user_id)
    return viewer_of(row)


def checked_display_name(raw: str) -> str:
    """A display name as people write it, trimmed; 400 naming ``display_name`` if not."""
    if not raw.strip():
        raise Invalid("display_name", "blank")
    return trimmed(raw, "display_name", 1, DISPLAY_NAME_MAX)


async def register_user(db: Db, data: UserCreate, *,
                        signup_address: bytes | None = None) -> Me:
    """Create a resident's account; 409 if the e-mail address is already registered.
    ``signup_address``: the keyed hash of the client address it was made from, for the
    moderators' signals (``ideabox.http.ratelimit.signup_address``)."""
    name = checked_display_name(data.display_name)
    password_hash = await passwords.hash_password(data.password)
    return await _insert_user(db, data.email, password_hash, name, signup_address)


async def register_user_without_password(db: Db, email: str, display_name: str) -> Me:
    """Create a resident's account that nobody can sign in to (people in demo data);
    409 if the e-mail address is already registered. No argon2 hash is made: hundreds
    of such accounts take milliseconds, not seconds."""
    return await _insert_user(db, email, passwords.UNUSABLE, checked_display_name(display_name))


async def register_user_from_provider(db: Db, email: str | None, display_name: str) -> Me:
    """Create the account of a person an OpenID provider signed in, who has none yet: no
    password (they sign in through the provider), and the e-mail address the provider
    vouched for, or none; 409 if that address is registered meanwhile."""
    return await _insert_user(db, email, passwords.UNUSABLE, checked_display_name(display_name))


async def _insert_user(db: Db, email: str | None, password_hash: str, name: str,
                       signup_address: bytes | None = None) -> Me:
    row = await db.conn.fetchrow(_INSERT_USER, email, password_hash, name, db.now,
                                 signup_address)
    if row is None:
        raise Conflict("email_taken", field="email")
    return _me(row)


async def authenticate(conn: asyncpg.Connection, credentials: Credentials) -> Viewer:
    """The person these credentials belong to; one 401 for every kind of wrong.

    An unknown address and a wrong password answer alike, and take as long (a hash is
    checked either way), so that a sign-in form never tells who has an account."""
    row = await conn.fetchrow(_FIND_FOR_SIGNIN, credentials.email)
    if row is None:
        await passwords.verify_nobody(credentials.password)
        raise Unauthorized("wrong_credentials")
    stored: str = row["password_hash"]
    if not await passwords.verify_password(stored, credentials.password):
        raise Unauthorized("wrong_credentials")
    if passwords.needs_rehash(stored):
        await conn.execute(_REPLACE_HASH, row["id"], stored,
                           await passwords.hash_password(credentials.password))
    return viewer_of(row)


async def _insert_token(db: Db, viewer: Viewer, kind: str, days: int,
                        provider: str | None = None) -> Token:
    token = new_token()
    await db.conn.execute(_INSERT_SIGN_IN, viewer.id, kind, token_hash(token), days, db.now,
                          provider)
    return Token(token=token)


async def create_api_token(db: Db, viewer: Viewer, *, days: int) -> Token:
    """A new bearer token for API clients, expiring after ``days`` without use."""
    return await _insert_token(db, viewer, "api", days)


async def create_session(db: Db, viewer: Viewer, *, days: int,
                         provider: str | None = None) -> Token:
    """A new browser session, expiring after ``days`` without use; ``provider`` names the
    OpenID provider it was started through."""
    return await _insert_token(db, viewer, "session", days, provider)


async def start_session(db: Db, viewer: Viewer, *, days: int, replaces: str | None,
                        provider: str | None = None) -> Session:
    """A browser session for a fresh sign-in (through ``provider``, or a password). Always
    a new secret, never the one the browser brought (no session fixation); that one, if
    any, is ended."""
    async with db.conn.transaction():
        if replaces:
            await revoke_session(db.conn, replaces)
        token = await create_session(db, viewer, days=days, provider=provider)
        return Session(token=token.token, user=await get_me(db.conn, viewer))


async def revoke_token(conn: asyncpg.Connection, viewer: Viewer, token_id: int) -> None:
    """Revoke one of the viewer's sessions or API tokens, at once; 404 if they have none
    with this id (another person's is as unknown as one that never was)."""
    ended = await conn.fetchval("DELETE FROM auth_tokens WHERE id = $1 AND user_id = $2 "
                                "RETURNING true", token_id, viewer.id)
    if not ended:
        raise NotFound("sign_in_not_found")


async def revoke_session(conn: asyncpg.Connection, token: str) -> str | None:
    """End the browser session with this secret, whoever it belonged to (idempotent); the
    OpenID provider it was started through, if any."""
    provider: str | None = await conn.fetchval(
        "DELETE FROM auth_tokens WHERE token_hash = $1 AND kind = 'session' "
        "RETURNING provider", token_hash(token))
    return provider


async def change_password(db: Db, viewer: Viewer, data: PasswordChange, *,
                          keep: int | None) -> None:
    """Give the viewer a new password once their current one is checked (400 naming
    ``current_password`` if wrong), and end every other session and token of theirs:
    whoever knew the old password may have signed in with it. ``keep`` is the sign-in
    the change is made with."""
    conn = db.conn
    stored = await conn.fetchval(_STORED_HASH, viewer.id)
    if stored is None:
        raise NotFound("account_gone")
    if not await passwords.verify_password(stored, data.current_password):
        raise Invalid("current_password", "password_wrong")
    new_hash = await passwords.hash_password(data.new_password)
    async with conn.transaction():
        if await conn.execute(_REPLACE_HASH, viewer.id, stored, new_hash) == "UPDATE 0":
            raise Conflict("password_changed_meanwhile")
        await sign_ins.end_sign_ins(conn, viewer, keep=keep)


async def get_me(conn: asyncpg.Connection, viewer: Viewer) -> Me:
    """The signed-in person, with their e-mail."""
    return await get_account(conn, viewer.id)


async def get_account(conn: asyncpg.Connection, user_id: int) -> Me:
    """An account as its owner sees it; 404 if there is none (or it was deleted)."""
    row = await conn.fetchrow(_GET_ME, user_id)
    if row is None:
        raise NotFound("account_gone")
    return _me(row)


async def assign_role(conn: asyncpg.Connection, user_id: int, role: Role) -> Me:
    """Give a user a role, without asking who wants it: for commands and set-up only."""
    row = await conn.fetchrow(_SET_ROLE, user_id, role)
    if row is None:
        raise NotFound("user_not_found", id=user_id)
    return _me(row)


async def set_role(db: Db, services: Services, viewer: Viewer, user_id: int, role: Role) -> Me:
    """An admin gives a user a role; 403 for anyone else, 404 for an unknown user."""
    if not viewer.is_admin:
        raise Forbidden("admins_only_roles")
    if user_id == viewer.id:
        # Otherwise the last admin could demote themself and leave nobody to undo it.
        raise Conflict("own_role")
    me = await assign_role(db.conn, user_id, role)
    # Their ideas show the author's role; the cached copies must go.
    services.ideas.author_changed(db, user_id)
    return me


async def ensure_admin(db: Db, data: UserCreate) -> tuple[Me, bool]:
    """Make the person with this e-mail an admin, creating the account if there is none
    (True) or, after checking their password, promoting it (False). Whoever runs the
    command vouches for the address: it counts as confirmed."""
    conn = db.conn
    async with conn.transaction():
        exists = await conn.fetchval("SELECT true FROM users WHERE email = lower($1)",
                                     data.email)
        if exists:
            viewer = await authenticate(conn, Credentials(email=data.email,
                                                          password=data.password))
            user_id, made = viewer.id, False
        else:
            user_id, made = (await register_user(db, data)).id, True
        await email_verification.mark_verified(db, user_id, "command")
        return await assign_role(conn, user_id, "admin"), made


# A vote or follow is the person's own data, but the title of an idea hidden since is
# not theirs to see unless they wrote it or moderate (the rule of ideas.service.may_see):
# it may be why the idea was hidden.
_SEEN_TITLE = """
CASE WHEN i.status NOT IN ('hidden', 'pending_review') OR i.author_id = $1
          OR (SELECT role IN ('moderator', 'admin') FROM users WHERE id = $1)
     THEN i.title END AS idea_title"""

# GDPR: the person's own data. Read straight from the tables, in one snapshot.
_EXPORT = {
    "ideas": """
        SELECT i.id, p.slug AS purpose, i.title, i.body, i.status, i.created_at, i.updated_at,
               i.assisted_by IS NOT NULL AS assisted
        FROM ideas i JOIN purposes p ON p.id = i.purpose_id
        WHERE i.author_id = $1 ORDER BY i.id""",
    "comments": """
        SELECT id, idea_id, parent_id, body, created_at, updated_at, deleted_at,
               assisted_by IS NOT NULL AS assisted
        FROM comments WHERE author_id = $1 ORDER BY id""",
    # S608 (votes, follows): a constant spliced in; values go as $n.
    "votes": f"""
        SELECT v.idea_id, {_SEEN_TITLE}, v.created_at,
               i.status IN ('hidden', 'pending_review') AS hidden,
               v.assisted_by IS NOT NULL AS assisted
        FROM votes v JOIN ideas i ON i.id = v.idea_id
        WHERE v.voter_id = $1 ORDER BY v.created_at, v.idea_id""",  # noqa: S608
    "follows": f"""
        SELECT f.idea_id, {_SEEN_TITLE}, f.created_at,
               i.status IN ('hidden', 'pending_review') AS hidden
        FROM follows f JOIN ideas i ON i.id = f.idea_id
        WHERE f.user_id = $1 ORDER BY f.created_at, f.idea_id""",  # noqa: S608
    "notifications": """
        SELECT id, idea_id, kind, payload, created_at, read_at
        FROM notifications WHERE user_id = $1 ORDER BY id""",
    "status_changes": """
        SELECT idea_id, from_status, to_status, trigger, response, created_at
        FROM idea_status_changes WHERE changed_by = $1 ORDER BY id""",
    "sign_ins": """
        SELECT kind, created_at, last_used_at, expires_at
        FROM auth_tokens WHERE user_id = $1 ORDER BY id""",
    "notification_settings": """
        SELECT email, language FROM notification_settings WHERE user_id = $1""",
    "notification_preferences": """
        SELECT topic, in_app, by_email AS email FROM notification_preferences
        WHERE user_id = $1 ORDER BY topic""",
    "purpose_follows": """
        SELECT p.slug AS purpose_slug, f.created_at
        FROM purpose_follows f JOIN purposes p ON p.id = f.purpose_id
        WHERE f.user_id = $1 ORDER BY f.created_at, p.slug""",
    # Which providers the person signs in through; the subject's hash stays out: it
    # says nothing to them, and is only of use with the secret key.
    "identities": """
        SELECT provider, created_at, last_used_at
        FROM user_identities WHERE user_id = $1 ORDER BY id""",
    "moderation_actions": """
        SELECT action, idea_id, comment_id, reason, created_at
        FROM moderation_actions WHERE moderator_id = $1 ORDER BY id""",
    "reports": """
        SELECT idea_id, comment_id, reason, text, created_at
        FROM reports WHERE reporter_id = $1 ORDER BY id""",
    # Assisted participation only: the log's decisions on held votes are a moderator's
    # review in progress, not the person's data to take away.
    "assistance": """
        SELECT action, actor_id, subject_id, idea_id, comment_id, detail, created_at
        FROM audit_log
        WHERE (actor_id = $1 OR subject_id = $1)
          AND action IN ('register_assisted', 'post_idea_for', 'comment_for', 'vote_for',
                         'retract_vote_for')
        ORDER BY id""",
}

# The account stays, so that ideas, comments and votes keep an author and services stay
# exact; everything that identifies the person goes. Follows and notifications are of
# use to nobody else and are deleted.
_ANONYMISE = """
UPDATE users SET email = 'deleted-' || id || '@invalid',
                 display_name = 'Slettet bruger',
                 password_hash = $2,
                 role = 'resident',
                 signup_address = NULL,
                 deleted_at = $3
WHERE id = $1 AND deleted_at IS NULL
"""
_FORGET = [
    "DELETE FROM auth_tokens WHERE user_id = $1",
    # The provider subjects' hashes point at a real person; confirmation links at an
    # address. (Residency checks stay: they hold only yes or no, and past promotions are
    # verified against them.)
    "DELETE FROM user_identities WHERE user_id = $1",
    "DELETE FROM email_verifications WHERE user_id = $1",
    "DELETE FROM follows WHERE user_id = $1",
    "DELETE FROM notifications WHERE user_id = $1",
    "DELETE FROM notification_settings WHERE user_id = $1",
    "DELETE FROM notification_preferences WHERE user_id = $1",
    "DELETE FROM purpose_follows WHERE user_id = $1",
]


async def export_my_data(db: Db, viewer: Viewer) -> DataExport:
    """Everything ideabox holds about the viewer, for them to take away (GDPR art. 15, 20)."""
    conn = db.conn
    async with conn.transaction(isolation=None if conn.is_in_transaction()
                                else "repeatable_read"):
        profile = await get_me(conn, viewer)
        rows = {name: await conn.fetch(sql, viewer.id) for name, sql in _EXPORT.items()}
    return DataExport(
        profile=profile,
        ideas=[ExportedIdea(**row) for row in rows["ideas"]],
        comments=[ExportedComment(**row) for row in rows["comments"]],
        votes=[ExportedVote(**row) for row in rows["votes"]],
        follows=[ExportedFollow(**row) for row in rows["follows"]],
        notifications=[ExportedNotification(**row) for row in rows["notifications"]],
        status_changes=[ExportedStatusChange(**row) for row in rows["status_changes"]],
        sign_ins=[ExportedToken(**row) for row in rows["sign_ins"]],
        notification_settings=[ExportedNotificationSettings(**row)
                               for row in rows["notification_settings"]],
        moderation_actions=[ExportedModerationAction(**row)
                            for row in rows["moderation_actions"]],
        identities=[ExportedIdentity(**row) for row in rows["identities"]],
        assistance=[ExportedAssistance(**row) for row in rows["assistance"]],
        reports=[ExportedReport(**row) for row in rows["reports"]],
        notification_preferences=[ExportedPreference(**row)
                                  for row in rows["notification_preferences"]],
        purpose_follows=[ExportedPurposeFollow(**row) for row in rows["purpose_follows"]],
        exported_at=db.now,
    )


async def delete_my_account(db: Db, services: Services, viewer: Viewer) -> None:
    """Anonymise the viewer's account and end all their sign-ins (GDPR art. 17); their
    ideas and comments stay, under the name "Slettet bruger"."""
    conn = db.conn
    services.ideas.author_changed(db, viewer.id)
    async with conn.transaction():
        await conn.execute(_ANONYMISE, viewer.id, passwords.UNUSABLE, db.now)
        for sql in _FORGET:
            await conn.execute(sql, viewer.id)
