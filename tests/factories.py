"""Test data made through the real service functions, never by hand-written INSERTs."""

from __future__ import annotations

import itertools

import asyncpg

from ideabox.accounts import service
from ideabox.accounts.schemas import Role, UserCreate, Viewer

_numbers = itertools.count(1)

DEFAULT_PASSWORD = "correct horse battery"


async def make_user(
    conn: asyncpg.Connection,
    *,
    role: Role = "resident",
    email: str | None = None,
    display_name: str | None = None,
    password: str = DEFAULT_PASSWORD,
) -> tuple[Viewer, str]:
    """A new user with ``role`` and a bearer API token for them."""
    n = next(_numbers)
    me = await service.register_user(conn, UserCreate(
        email=email or f"user{n}@example.dk",
        password=password,
        display_name=display_name or f"Bruger {n}",
    ))
    if role != me.role:
        me = await service.assign_role(conn, me.id, role)
    viewer = Viewer(id=me.id, display_name=me.display_name, role=me.role)
    token = await service.create_api_token(conn, viewer)
    return viewer, token.token
