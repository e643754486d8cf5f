"""Test data made through the real service functions, never by hand-written INSERTs."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import asyncpg
import httpx

from ideabox.accounts import service
from ideabox.accounts.schemas import Role, UserCreate, Viewer
from ideabox.assisted.schemas import AssistedPerson, AssistedPersonCreate
from ideabox.assisted.service import register_person
from ideabox.identity import email as email_verification
from ideabox.platform.db import Db
from ideabox.platform.settings import Settings
from ideabox.purposes.schemas import Purpose, PurposeCreate
from ideabox.purposes.service import create_purpose
from ideabox.votes.counts import recount
from tests.conftest import NOW

_numbers = itertools.count(1)

DEFAULT_PASSWORD = "correct horse battery"

# The factories' tokens are made at NOW, and some tests move the clock years on (to a
# 29 February, across daylight saving time): their tokens must outlast that. How long
# a token lasts is tested where that is the subject (tests/accounts).
TOKEN_DAYS = 10 * 366


def in_db(conn: asyncpg.Connection | Db) -> Db:
    """The services write through a ``Db``; a bare connection writes at the tests' NOW."""
    return conn if isinstance(conn, Db) else Db(conn, NOW)


async def make_user(
    conn: asyncpg.Connection | Db,
    *,
    role: Role = "resident",
    email: str | None = None,
    display_name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    verified: bool = True,
    signup_address: bytes | None = None,
) -> tuple[Viewer, str]:
    """A new user with ``role`` and a bearer API token for them; their e-mail address
    confirmed by its link, unless not ``verified``; made from the client address whose
    keyed hash is ``signup_address``."""
    n = next(_numbers)
    db = in_db(conn)
    me = await service.register_user(db, UserCreate(
        email=email or f"user{n}@example.dk",
        password=password,
        display_name=display_name or f"Bruger {n}",
    ), signup_address=signup_address)
    if role != me.role:
        me = await service.assign_role(db.conn, me.id, role)
    if verified:
        link = await email_verification.start(db, me.id)
        assert link is not None
        await email_verification.confirm(db, link.token)
    viewer = await service.get_viewer(db.conn, me.id)
    token = await service.create_api_token(db, viewer, days=TOKEN_DAYS)
    return viewer, token.token


async def make_assisted_person(conn: asyncpg.Connection | Db, staff: Viewer, *,
                               display_name: str | None = None,
                               resident: bool = False) -> AssistedPerson:
    """A person without digital access, registered by ``staff`` through the real service."""
    n = next(_numbers)
    return await register_person(in_db(conn), staff, AssistedPersonCreate(
        display_name=display_name or f"Borger {n}",
        note="Viste sundhedskort ved borgerservice", resident=resident))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def make_purpose(conn: asyncpg.Connection | Db, *, slug: str | None = None,
                       audience: str = "everyone", **fields: Any) -> Purpose:
    """A purpose made by a fresh administrator through the real service."""
    db = in_db(conn)
    admin, _ = await make_user(db, role="admin")
    n = next(_numbers)
    data = PurposeCreate(slug=slug or f"formaal-{n}", title=fields.pop("title", f"Formål {n}"),
                         statement=fields.pop("statement", "Hvad kan vi gøre bedre?"),
                         audience=audience, **fields)  # type: ignore[arg-type]
    return await create_purpose(db, Settings(), admin, data)


async def post_idea(client: httpx.AsyncClient, token: str, slug: str, *, title: str | None = None,
                    body: str = "Sådan kunne det gøres.",
                    on_behalf_of: int | None = None) -> dict[str, Any]:
    """An idea posted through the JSON API (by staff for ``on_behalf_of``, a person they
    help); returns its JSON."""
    n = next(_numbers)
    data: dict[str, Any] = {"title": title or f"Idé nummer {n}", "body": body}
    if on_behalf_of is not None:
        data["on_behalf_of"] = on_behalf_of
    response = await client.post(f"/api/v1/purposes/{slug}/ideas", headers=bearer(token),
                                 json=data)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def vote_as(client: httpx.AsyncClient, tokens: list[str], idea_id: int) -> None:
    """Each of ``tokens`` votes for the idea through the JSON API."""
    for token in tokens:
        response = await client.put(f"/api/v1/ideas/{idea_id}/vote", headers=bearer(token))
        assert response.status_code == 200, response.text


async def backdate_idea(conn: asyncpg.Connection, idea_id: int, posted_at: datetime) -> None:
    """Move an idea (and its 'posted' history entry) back in time, for tests of months."""
    await conn.execute("UPDATE ideas SET created_at = $2, updated_at = $2 WHERE id = $1",
                       idea_id, posted_at)
    await conn.execute("UPDATE idea_status_changes SET created_at = $2 "
                       "WHERE idea_id = $1 AND trigger = 'posted'", idea_id, posted_at)


async def backdate_people(conn: asyncpg.Connection, user_ids: list[int],
                          joined: datetime) -> None:
    """Move accounts (and their confirmation, if they have one) back in time, for tests of
    months: a vote cast in the past must be of a person verified by then, as every vote
    cast through ideabox is."""
    await conn.execute("""
        UPDATE users SET created_at = $2::timestamptz,
            verified_at = CASE WHEN verified_at IS NOT NULL THEN $2::timestamptz END,
            email_verified_at = CASE WHEN email_verified_at IS NOT NULL THEN $2::timestamptz END
        WHERE id = ANY($1::bigint[])""", user_ids, joined)


async def backdate_votes(conn: asyncpg.Connection, idea_id: int, voter_ids: list[int],
                         cast_at: datetime) -> None:
    """Move some votes of an idea back in time, for tests of months (and count the idea's
    votes again, as any write that bypasses the vote statements must)."""
    await conn.execute("UPDATE votes SET created_at = $3 "
                       "WHERE idea_id = $1 AND voter_id = ANY($2::bigint[])",
                       idea_id, voter_ids, cast_at)
    await recount(conn, [idea_id])


async def record_residency(conn: asyncpg.Connection, user_id: int, resident: bool,
                           checked_at: datetime, provider: str = "mitid") -> None:
    """What a sign-in through an identity provider with a residence claim records: whether
    the person lived in the municipality then."""
    await conn.execute("INSERT INTO residency_checks (user_id, provider, resident, checked_at) "
                       "VALUES ($1, $2, $3, $4)", user_id, provider, resident, checked_at)
