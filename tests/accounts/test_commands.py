"""``ideabox create-admin``, run as a real process against the test database."""

from __future__ import annotations

import pytest

from ideabox.accounts import service
from ideabox.accounts.schemas import Credentials
from tests.factories import DEFAULT_PASSWORD, make_user

PASSWORD = "et langt kodeord"



async def role_of(db, email: str) -> str | None:
    role: str | None = await db.fetchval("SELECT role FROM users WHERE email = $1", email)
    return role


async def test_create_admin_makes_a_new_admin(run_cli, db):
    code, out, err = await run_cli("create-admin", "--email", "Chef@Example.dk",
                                   "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, err
    assert "created admin chef@example.dk" in out
    assert await role_of(db, "chef@example.dk") == "admin"
    viewer = await service.authenticate(db, Credentials(email="chef@example.dk",
                                                        password=PASSWORD))
    assert viewer.is_admin

    # Running it again changes nothing and says so.
    code, out, _ = await run_cli("create-admin", "--email", "chef@example.dk",
                                 "--password-stdin", stdin=PASSWORD)
    assert code == 0
    assert "is now an admin" in out
    assert await db.fetchval("SELECT count(*) FROM users") == 1


async def test_create_admin_promotes_an_existing_account_with_its_password(run_cli, db):
    viewer, _ = await make_user(db, email="anna@example.dk")
    code, out, err = await run_cli("create-admin", "--email", "anna@example.dk",
                                   "--password-stdin", stdin=DEFAULT_PASSWORD + "\n")
    assert code == 0, err
    assert f"anna@example.dk (user id {viewer.id}) is now an admin" in out
    assert await role_of(db, "anna@example.dk") == "admin"


async def test_create_admin_refuses_a_wrong_password_for_an_existing_account(run_cli, db):
    await make_user(db, email="anna@example.dk")
    code, _, err = await run_cli("create-admin", "--email", "anna@example.dk",
                                 "--password-stdin", stdin="somebody else's password")
    assert code != 0
    assert "password does not match" in err
    assert await role_of(db, "anna@example.dk") == "resident"


@pytest.mark.parametrize(("email", "password", "says"), [
    ("chef@example.dk", "short", "password"),
    ("chef@example.dk", "", "password"),
    ("not-an-email", PASSWORD, "email"),
    ("chef@example.dk", "two\nlines of password", "single line"),
])
async def test_create_admin_refuses_bad_input(run_cli, db, email, password, says):
    code, _, err = await run_cli("create-admin", "--email", email, "--password-stdin",
                                 stdin=password)
    assert code != 0
    assert says in err
    assert await db.fetchval("SELECT count(*) FROM users") == 0
