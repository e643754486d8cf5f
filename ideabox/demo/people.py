"""The demo's accounts, made through the accounts service.

Only the administrator and the two accounts printed for trying the demo get a
password; everybody else is a made-up person nobody can sign in as, which also spares
an argon2 hash (tens of milliseconds) for each of them.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from ideabox.accounts import service
from ideabox.accounts.schemas import UserCreate, Viewer
from ideabox.demo.backdate import backdate
from ideabox.demo.plan import ADMIN, TRY_RESIDENT, TRY_STAFF, Plan


async def create_people(conn: asyncpg.Connection, plan: Plan, admin: UserCreate,
                        try_password: str,
                        advance: Callable[[int, int], None]) -> list[Viewer]:
    """Every person of the plan, in its order; the administrator may exist already (made
    by ``ideabox create-admin``), in which case ``admin``'s password must match."""
    viewers: list[Viewer] = []
    made: list[int] = []
    for index, person in enumerate(plan.people):
        if index == ADMIN:
            me, created = await service.ensure_admin(conn, admin)
        elif index in (TRY_RESIDENT, TRY_STAFF):
            me = await service.register_user(conn, UserCreate(
                email=person.email, password=try_password, display_name=person.name))
            created = True
        else:
            me = await service.register_user_without_password(conn, person.email, person.name)
            created = True
        if me.role != person.role:
            me = await service.assign_role(conn, me.id, person.role)
        viewers.append(Viewer(id=me.id, display_name=me.display_name, role=me.role))
        if created:
            made.append(index)
        advance(index + 1, len(plan.people))
    await backdate(conn, "users", [viewers[i].id for i in made],
                   [plan.people[i].joined for i in made])
    return viewers
