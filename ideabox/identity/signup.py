"""Signing up, and asking for a confirmation link again: the account and its link are
written in one transaction; the mail follows once it has committed."""

from __future__ import annotations

from ideabox.accounts import service as accounts
from ideabox.accounts.schemas import Me, UserCreate, Viewer
from ideabox.identity import email
from ideabox.identity.mail import send_after_commit
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict
from ideabox.services import Services


async def sign_up(db: Db, services: Services, data: UserCreate, language: str, *,
                  signup_address: bytes | None = None) -> Me:
    """Create a resident's account, its address not yet confirmed, and mail the link.
    ``signup_address``: the keyed hash of the client address (the moderators' signals)."""
    async with db.conn.transaction():
        me = await accounts.register_user(db, data, signup_address=signup_address)
        link = await email.start(db, me.id)
    if link is not None:
        send_after_commit(services, db, link, language)
    return me


async def send_new_link(db: Db, services: Services, viewer: Viewer, language: str) -> str:
    """Mail a fresh confirmation link to the viewer's address; the address. 409 when it
    is confirmed already, or the account has no address to confirm."""
    me = await accounts.get_me(db.conn, viewer)
    if me.email is None:
        raise Conflict("no_email_to_verify")
    if me.email_verified:
        raise Conflict("verification_already_done")
    link = await email.start(db, viewer.id)
    if link is None:  # confirmed or deleted in between
        raise Conflict("verification_already_done")
    send_after_commit(services, db, link, language)
    return me.email


async def viewer_again(db: Db, viewer: Viewer) -> Viewer:
    """The viewer as the database says now (after their address was confirmed)."""
    return await accounts.get_viewer(db.conn, viewer.id)
