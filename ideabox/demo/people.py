"""The demo's accounts, made through the accounts service.

Only the administrator and the two accounts printed for trying the demo get a
password; everybody else is a made-up person nobody can sign in as, which also spares
an argon2 hash (tens of milliseconds) for each of them.
"""

from __future__ import annotations

from collections.abc import Callable

from ideabox.accounts import service
from ideabox.accounts.schemas import UserCreate, Viewer
from ideabox.demo.plan import ADMIN, TRY_RESIDENT, TRY_STAFF, Plan
from ideabox.identity import email as email_verification
from ideabox.identity.residency import record_residency
from ideabox.platform.db import Db


async def create_people(db: Db, plan: Plan, admin: UserCreate,
                        try_password: str,
                        advance: Callable[[int, int], None]) -> list[Viewer]:
    """Every person of the plan, in its order; the administrator may exist already (made
    by ``ideabox create-admin``), in which case ``admin``'s password must match."""
    viewers: list[Viewer] = []
    for index, person in enumerate(plan.people):
        db.now = person.joined
        if index == ADMIN:
            me, _ = await service.ensure_admin(db, admin)
        elif index in (TRY_RESIDENT, TRY_STAFF):
            me = await service.register_user(db, UserCreate(
                email=person.email, password=try_password, display_name=person.name))
        else:
            me = await service.register_user_without_password(db, person.email, person.name)
        if me.role != person.role:
            me = await service.assign_role(db.conn, me.id, person.role)
        # The demo's people are invented; their addresses count as confirmed, and its
        # residents as living in the municipality (the harbour purpose asks for that).
        await email_verification.mark_verified(db, me.id, "demo")
        if me.role == "resident":
            await record_residency(db, me.id, vouched_by="demo", resident=True)
        viewers.append(await service.get_viewer(db.conn, me.id))
        advance(index + 1, len(plan.people))
    return viewers
