"""The accounts service against a real PostgreSQL: passwords, sign-in, roles, deletion."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import asyncpg
import pytest
from argon2 import PasswordHasher

from ideabox.accounts import passwords, service
from ideabox.accounts.schemas import Credentials, PasswordChange, UserCreate, Viewer
from ideabox.accounts.tokens import token_hash
from ideabox.platform.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from tests.conftest import NOW
from tests.factories import DEFAULT_PASSWORD, in_db, make_user

PASSWORD = "et langt kodeord"


async def register(db, email: str = "anna@example.dk", password: str = PASSWORD,
                   display_name: str = "Anna Jensen"):
    return await service.register_user(in_db(db), UserCreate(email=email, password=password,
                                                      display_name=display_name))


async def test_register_normalises_the_email_and_the_name(db):
    me = await register(db, email="Anna@Example.DK", display_name="  Anna  ")
    assert me.email == "anna@example.dk"
    assert me.display_name == "Anna"
    assert me.role == "resident"


async def test_register_refuses_a_blank_or_control_character_name(db):
    with pytest.raises(Invalid) as blank:
        await register(db, display_name=" \t ")
    assert blank.value.field == "display_name"
    with pytest.raises(Invalid):
        await register(db, display_name="Anna\x00")


async def test_register_refuses_a_taken_address(db):
    await register(db)
    with pytest.raises(Conflict):
        await register(db, email="ANNA@example.dk")


async def test_authenticate_finds_the_person(db):
    me = await register(db)
    viewer = await service.authenticate(db, Credentials(email="ANNA@example.dk",
                                                        password=PASSWORD))
    assert viewer == Viewer(id=me.id, display_name="Anna Jensen", role="resident")


async def test_authenticate_gives_one_answer_for_every_kind_of_wrong(db):
    await register(db)
    with pytest.raises(Unauthorized) as wrong_password:
        await service.authenticate(db, Credentials(email="anna@example.dk", password="nope"))
    with pytest.raises(Unauthorized) as unknown:
        await service.authenticate(db, Credentials(email="nobody@example.dk", password="nope"))
    assert wrong_password.value.detail == unknown.value.detail
    assert wrong_password.value.code == unknown.value.code == "wrong_credentials"


async def _duration(attempt) -> float:
    started = time.perf_counter()
    with pytest.raises(Unauthorized):
        await attempt()
    return time.perf_counter() - started


async def test_an_unknown_email_costs_as_much_as_a_wrong_password(db):
    await register(db)
    wrong, unknown = [], []
    for _ in range(7):  # interleaved, so that a busy machine slows both alike
        wrong.append(await _duration(lambda: service.authenticate(
            db, Credentials(email="anna@example.dk", password="wrong password"))))
        unknown.append(await _duration(lambda: service.authenticate(
            db, Credentials(email="nobody@example.dk", password="wrong password"))))
    # Without the dummy hash an unknown e-mail answers in a small fraction of the time.
    assert min(unknown) > 0.5 * min(wrong), (unknown, wrong)


async def test_hashing_leaves_the_event_loop_free(db):
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        await passwords.hash_password(PASSWORD)
    finally:
        ticker.cancel()
    # Hashing on the loop itself would have let the ticker run once at most.
    assert ticks > 10


async def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(db):
    me = await register(db)
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    await db.execute("UPDATE users SET password_hash = $2 WHERE id = $1", me.id, old)

    with pytest.raises(Unauthorized):
        await service.authenticate(db, Credentials(email=me.email, password="wrong!"))
    assert await db.fetchval("SELECT password_hash FROM users WHERE id = $1", me.id) == old

    await service.authenticate(db, Credentials(email=me.email, password=PASSWORD))
    upgraded = await db.fetchval("SELECT password_hash FROM users WHERE id = $1", me.id)
    assert upgraded != old
    assert not passwords.needs_rehash(upgraded)
    assert "m=19456,t=2,p=1" in upgraded
    await service.authenticate(db, Credentials(email=me.email, password=PASSWORD))


async def test_tokens_are_stored_only_as_hashes(db):
    viewer, _ = await make_user(db)
    await db.execute("DELETE FROM auth_tokens")
    token = await service.create_api_token(in_db(db), viewer, days=90)
    session = await service.create_session(in_db(db), viewer, days=30)
    rows = await db.fetch("SELECT kind, token_hash, expires_at - $2 AS left "
                          "FROM auth_tokens WHERE user_id = $1 ORDER BY id", viewer.id, NOW)
    assert [r["kind"] for r in rows] == ["api", "session"]
    assert rows[0]["token_hash"] == token_hash(token.token)
    assert rows[0]["left"] == timedelta(days=90)
    assert rows[1]["token_hash"] == token_hash(session.token)
    assert rows[1]["left"] == timedelta(days=30)


async def test_start_session_ends_the_session_it_replaces(db):
    viewer, _ = await make_user(db)
    first = await service.start_session(in_db(db), viewer, days=30, replaces=None)
    second = await service.start_session(in_db(db), viewer, days=30, replaces=first.token)
    assert second.token != first.token
    assert second.user.id == viewer.id
    hashes = await db.fetch("SELECT token_hash FROM auth_tokens WHERE kind = 'session'")
    assert [r["token_hash"] for r in hashes] == [token_hash(second.token)]


async def test_revoke_token_only_touches_the_viewers_own(db):
    alice, _ = await make_user(db)
    bob, _ = await make_user(db)
    bobs = await db.fetchval("SELECT id FROM auth_tokens WHERE user_id = $1", bob.id)
    with pytest.raises(NotFound):
        await service.revoke_token(db, alice, bobs)
    assert await db.fetchval("SELECT count(*) FROM auth_tokens WHERE id = $1", bobs) == 1


async def test_set_role_rules(db, services):
    admin, _ = await make_user(db, role="admin")
    staff, _ = await make_user(db, role="staff")
    resident, _ = await make_user(db)
    changed = await service.set_role(in_db(db), services, admin, resident.id, "moderator")
    assert changed.role == "moderator"
    with pytest.raises(Forbidden):
        await service.set_role(in_db(db), services, staff, resident.id, "admin")
    with pytest.raises(NotFound):
        await service.set_role(in_db(db), services, admin, 424242, "staff")
    with pytest.raises(Conflict):
        await service.set_role(in_db(db), services, admin, admin.id, "resident")


async def test_ensure_admin_creates_or_promotes_after_checking_the_password(db):
    new, created = await service.ensure_admin(in_db(db), UserCreate(
        email="Boss@example.dk", password=PASSWORD, display_name="Chefen"))
    assert created and new.role == "admin" and new.email == "boss@example.dk"

    resident, _ = await make_user(db, email="resident@example.dk")
    with pytest.raises(Unauthorized):
        await service.ensure_admin(in_db(db), UserCreate(
            email="resident@example.dk", password="not their password", display_name="X"))
    assert (await service.get_me(db, resident)).role == "resident"

    promoted, created = await service.ensure_admin(in_db(db), UserCreate(
        email="resident@example.dk", password=DEFAULT_PASSWORD, display_name="X"))
    assert not created and promoted.role == "admin" and promoted.id == resident.id
    assert promoted.display_name == resident.display_name


async def test_a_deleted_account_cannot_sign_in_or_be_found(db, services):
    viewer, _ = await make_user(db, email="gone@example.dk")
    await service.delete_my_account(in_db(db), services, viewer)
    with pytest.raises(Unauthorized):
        await service.authenticate(db, Credentials(email="gone@example.dk",
                                                   password=DEFAULT_PASSWORD))
    with pytest.raises(Unauthorized):
        await service.authenticate(db, Credentials(email=f"deleted-{viewer.id}@invalid",
                                                   password=DEFAULT_PASSWORD))
    with pytest.raises(NotFound):
        await service.get_me(db, viewer)
    with pytest.raises(NotFound):
        await service.assign_role(db, viewer.id, "admin")
    # Deleting twice changes nothing.
    await service.delete_my_account(in_db(db), services, viewer)


async def test_the_unusable_hash_matches_no_password(db):
    assert not await passwords.verify_password(passwords.UNUSABLE, "")
    assert not await passwords.verify_password(passwords.UNUSABLE, passwords.UNUSABLE)


async def test_export_of_a_new_account_is_just_the_profile(db):
    viewer, _ = await make_user(db, email="new@example.dk")
    export = await service.export_my_data(in_db(db), viewer)
    assert export.profile.email == "new@example.dk"
    assert export.ideas == export.comments == export.votes == export.follows == []
    assert [s.kind for s in export.sign_ins] == ["api"]
    # Inside a caller's transaction too (it then reads in that transaction's snapshot).
    async with db.transaction():
        assert (await service.export_my_data(in_db(db), viewer)).profile.id == viewer.id


async def test_a_password_change_checks_the_current_one_and_keeps_one_sign_in(db):
    viewer, token = await make_user(db)
    await service.create_session(in_db(db), viewer, days=30)
    kept = await db.fetchval("SELECT id FROM auth_tokens WHERE token_hash = $1",
                             token_hash(token))
    with pytest.raises(Invalid) as wrong:
        await service.change_password(in_db(db), viewer, PasswordChange(
            current_password="not it at all", new_password=PASSWORD), keep=kept)
    assert wrong.value.field == "current_password"
    assert await db.fetchval("SELECT count(*) FROM auth_tokens") == 2

    await service.change_password(in_db(db), viewer, PasswordChange(
        current_password=DEFAULT_PASSWORD, new_password=PASSWORD), keep=kept)
    assert [r["id"] for r in await db.fetch("SELECT id FROM auth_tokens")] == [kept]
    me = await service.get_me(db, viewer)
    await service.authenticate(db, Credentials(email=me.email, password=PASSWORD))
    with pytest.raises(Unauthorized):
        await service.authenticate(db, Credentials(email=me.email, password=DEFAULT_PASSWORD))


async def test_of_two_password_changes_at_once_one_wins(db, database_url):
    viewer, _ = await make_user(db, email="twice@example.dk")
    conns = [await asyncpg.connect(database_url) for _ in range(2)]
    try:
        outcomes = await asyncio.gather(*(
            service.change_password(in_db(conn), viewer, PasswordChange(
                current_password=DEFAULT_PASSWORD, new_password=f"nyt kodeord nummer {n}"),
                keep=None)
            for n, conn in enumerate(conns)), return_exceptions=True)
    finally:
        for conn in conns:
            await conn.close()
    [won] = [n for n, outcome in enumerate(outcomes) if outcome is None]
    [lost] = [outcome for outcome in outcomes if outcome is not None]
    # The loser either saw the first change (its current password was no longer right)
    # or raced it to the row; it never undoes it.
    assert isinstance(lost, Invalid | Conflict)
    await service.authenticate(db, Credentials(email="twice@example.dk",
                                               password=f"nyt kodeord nummer {won}"))
