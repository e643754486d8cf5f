"""The migration runner: forward-only, checksummed, safe to run from many places at once."""

from __future__ import annotations

import asyncio
import shutil
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from ideabox.platform.migrations import MigrationError, default_dir, discover, migrate, pending
from ideabox.promotion.verify import verify_purpose
from tests.conftest import with_database


@pytest.fixture
async def empty_database(postgres_server_url: str):
    name = f"ideabox_empty_{id(object())}"
    admin = await asyncpg.connect(postgres_server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(postgres_server_url, name)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r["tablename"] for r in rows}
    finally:
        await conn.close()


async def test_applies_to_an_empty_database_and_a_second_run_is_a_no_op(empty_database):
    conn = await asyncpg.connect(empty_database)
    try:
        applied = await migrate(conn)
        assert applied == [m.version for m in discover()]
        assert await migrate(conn) == []
        assert await pending(conn) == []
        history = await conn.fetchval("SELECT count(*) FROM schema_migrations")
        assert history == len(applied)
    finally:
        await conn.close()
    tables = await _tables(empty_database)
    # The names API.md promises to analysts.
    assert {"users", "purposes", "ideas", "comments", "votes", "promotions",
            "idea_status_changes"} <= tables


async def test_concurrent_runs_end_in_one_correct_schema(empty_database):
    conns = [await asyncpg.connect(empty_database) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
    finally:
        for conn in conns:
            await conn.close()
    everything = [m.version for m in discover()]
    # Exactly one runner applied each migration; the others found nothing to do.
    assert sorted(v for r in results for v in r) == sorted(everything)
    assert sum(1 for r in results if r) == 1
    conn = await asyncpg.connect(empty_database)
    try:
        rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
        assert [r["version"] for r in rows] == everything
    finally:
        await conn.close()


async def test_an_edited_applied_migration_is_refused(empty_database, tmp_path: Path):
    folder = tmp_path / "sql"
    shutil.copytree(default_dir(), folder)
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn, folder)
        first = sorted(folder.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")
        with pytest.raises(MigrationError, match="edited after it was applied"):
            await migrate(conn, folder)
        with pytest.raises(MigrationError, match="edited after it was applied"):
            await pending(conn, folder)
    finally:
        await conn.close()


async def test_a_new_migration_is_applied_after_the_old_ones(empty_database, tmp_path: Path):
    folder = tmp_path / "sql"
    shutil.copytree(default_dir(), folder)
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn, folder)
        (folder / "9999_add_a_table.sql").write_text("CREATE TABLE later (id int);")
        assert await pending(conn, folder) == ["9999_add_a_table"]
        assert await migrate(conn, folder) == ["9999_add_a_table"]
        assert await conn.fetchval("SELECT to_regclass('later') IS NOT NULL")
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_behind(empty_database, tmp_path: Path):
    folder = tmp_path / "sql"
    shutil.copytree(default_dir(), folder)
    (folder / "9999_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nSELECT no_such_function();")
    conn = await asyncpg.connect(empty_database)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await migrate(conn, folder)
        assert not await conn.fetchval("SELECT to_regclass('half_done') IS NOT NULL")
        assert await pending(conn, folder) == ["9999_broken"]
    finally:
        await conn.close()


async def test_a_database_newer_than_the_code_is_refused(empty_database, tmp_path: Path):
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn)
        await conn.execute(
            "INSERT INTO schema_migrations (version, checksum) VALUES ('9998_future', 'x')")
        with pytest.raises(MigrationError, match="does not know"):
            await migrate(conn)
    finally:
        await conn.close()


def test_migration_files_are_named_and_numbered_uniquely(tmp_path: Path):
    assert all(m.version[:4].isdigit() for m in discover())
    (tmp_path / "0001_a.sql").write_text("")
    (tmp_path / "0001_b.sql").write_text("")
    with pytest.raises(MigrationError, match="share the number"):
        discover(tmp_path)
    (tmp_path / "0001_b.sql").unlink()
    (tmp_path / "2-bad name.sql").write_text("")
    with pytest.raises(MigrationError, match="look like"):
        discover(tmp_path)


def _migrations_before(version: str, folder: Path) -> Path:
    """A copy of the migrations older than ``version``: the schema a migration meets."""
    folder.mkdir()
    for migration in discover():
        if migration.version < version:
            shutil.copy(default_dir() / f"{migration.version}.sql", folder)
    return folder


async def test_existing_votes_are_counted_when_idea_tallies_arrive(empty_database,
                                                                   tmp_path: Path):
    """0005 counts each idea's votes already cast: in all, and in the month of its latest
    vote in the purpose's time zone (a vote at 00:30 on 1 November in Copenhagen is
    November's, though it is still October in UTC)."""
    folder = _migrations_before("0005", tmp_path / "sql")
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn, folder)
        await conn.execute("""
            INSERT INTO users (id, email, password_hash, display_name)
            OVERRIDING SYSTEM VALUE
            SELECT n, 'u' || n || '@example.dk', '!', 'U' || n FROM generate_series(1, 4) n;
            INSERT INTO purposes (id, slug, title, statement, statement_html)
            OVERRIDING SYSTEM VALUE VALUES (1, 'havn', 'Havnen', 'Hvad?', '<p>Hvad?</p>');
            INSERT INTO ideas (id, purpose_id, author_id, title, body, body_html)
            OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 'Bænke ved vandet', 'x', '<p>x</p>'),
                                           (2, 1, 1, 'Lys på molen', 'y', '<p>y</p>'),
                                           (3, 1, 1, 'Ingen stemmer', 'z', '<p>z</p>');
            INSERT INTO votes (idea_id, voter_id, created_at) VALUES
                (1, 1, '2026-10-12 10:00+02'), (1, 2, '2026-10-31 23:30+00'),
                (1, 3, '2026-11-02 09:00+01'), (2, 4, '2026-09-03 12:00+02');
        """)
        shutil.copy(default_dir() / "0005_idea_tallies.sql", folder)
        assert await migrate(conn, folder) == ["0005_idea_tallies"]
        rows = await conn.fetch("SELECT idea_id, votes, to_char(month, 'YYYY-MM') AS month, "
                                "month_votes FROM idea_tallies ORDER BY idea_id")
        assert [tuple(r) for r in rows] == [(1, 3, "2026-11", 2), (2, 1, "2026-09", 1)]
    finally:
        await conn.close()


async def test_api_tokens_made_before_they_expired_get_an_expiry(empty_database,
                                                                 tmp_path: Path):
    """0006: every API token that had no expiry expires 90 days after its last use (the
    migration has no clock: that is counted from the row itself); sessions keep theirs."""
    folder = _migrations_before("0006", tmp_path / "sql")
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn, folder)
        await conn.execute("""
            INSERT INTO users (id, email, password_hash, display_name)
            OVERRIDING SYSTEM VALUE VALUES (1, 'u1@example.dk', '!', 'U1');
            INSERT INTO auth_tokens (user_id, kind, token_hash, created_at, last_used_at,
                                     expires_at) VALUES
                (1, 'api', decode(repeat('01', 32), 'hex'), '2026-01-05 10:00+01',
                 '2026-04-10 12:00+02', NULL),
                (1, 'api', decode(repeat('02', 32), 'hex'), '2026-11-01 09:00+01',
                 '2026-11-01 09:00+01', NULL),
                (1, 'session', decode(repeat('03', 32), 'hex'), '2026-11-01 09:00+01',
                 '2026-11-10 09:00+01', '2026-12-10 09:00+01');
        """)
        shutil.copy(default_dir() / "0006_api_tokens_expire.sql", folder)
        assert await migrate(conn, folder) == ["0006_api_tokens_expire"]
        rows = await conn.fetch("SELECT kind, to_char(expires_at AT TIME ZONE 'UTC', "
                                "'YYYY-MM-DD HH24:MI') AS expires FROM auth_tokens ORDER BY id")
        assert [tuple(r) for r in rows] == [("api", "2026-07-09 10:00"),
                                            ("api", "2027-01-30 08:00"),
                                            ("session", "2026-12-10 08:00")]
    finally:
        await conn.close()


async def test_accounts_made_before_verification_count_as_confirmed(empty_database,
                                                                    tmp_path: Path):
    """0007: accounts that existed before e-mail confirmation keep working: confirmed,
    and a verified person, since they were made; marked so that it can be told apart."""
    folder = _migrations_before("0007", tmp_path / "sql")
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn, folder)
        await conn.execute("""
            INSERT INTO users (id, email, password_hash, display_name, created_at)
            OVERRIDING SYSTEM VALUE VALUES
                (1, 'u1@example.dk', '!', 'U1', '2026-03-01 10:00+01'),
                (2, 'u2@example.dk', '!', 'U2', '2026-11-20 09:30+01');
        """)
        shutil.copy(default_dir() / "0007_identity.sql", folder)
        assert await migrate(conn, folder) == ["0007_identity"]
        rows = await conn.fetch("SELECT id, verified_at = created_at AS person, "
                                "email_verified_at = created_at AS address, "
                                "email_verified_via FROM users ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, True, True, "before_verification"),
                                            (2, True, True, "before_verification")]
    finally:
        await conn.close()


async def test_a_promotion_recorded_before_eligibility_still_verifies(empty_database,
                                                                      tmp_path: Path):
    """0007 and 0010 leave a run recorded before eligibility without a rule, and
    ``promote --verify`` then counts every vote, as that promotion did: the vote of an
    account deleted during the month, and a vote taken back after the run by someone
    the retraction did not yet name."""
    folder = _migrations_before("0007", tmp_path / "sql")
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn, folder)
        await conn.execute("""
            INSERT INTO users (id, email, password_hash, display_name, created_at, deleted_at)
            OVERRIDING SYSTEM VALUE
            SELECT n, 'u' || n || '@example.dk', '!', 'U' || n, '2026-08-01 10:00+02',
                   CASE WHEN n = 4 THEN timestamptz '2026-09-20 10:00+02' END
            FROM generate_series(1, 5) n;
            INSERT INTO purposes (id, slug, title, statement, statement_html)
            OVERRIDING SYSTEM VALUE VALUES (1, 'havn', 'Havnen', 'Hvad?', '<p>Hvad?</p>');
            INSERT INTO ideas (id, purpose_id, author_id, title, body, body_html, status,
                               created_at)
            OVERRIDING SYSTEM VALUE VALUES
                (1, 1, 1, 'Bænke ved vandet', 'x', '<p>x</p>', 'promoted', '2026-09-02 10:00+02');
            INSERT INTO votes (idea_id, voter_id, created_at)
            SELECT 1, n, '2026-09-10 12:00+02' FROM generate_series(1, 4) n;
            INSERT INTO vote_retractions (idea_id, cast_at, retracted_at)
            VALUES (1, '2026-09-11 12:00+02', '2026-10-05 12:00+02');
            INSERT INTO promotion_runs (purpose_id, month, trigger, promote_top_n, min_votes,
                                        ran_at)
            VALUES (1, '2026-09-01', 'promotion:schedule', 3, 1, '2026-10-01 00:05+02');
            INSERT INTO promotions (purpose_id, month, rank, idea_id, votes_in_month,
                                    total_votes)
            VALUES (1, '2026-09-01', 1, 1, 5, 5);
            INSERT INTO idea_status_changes (idea_id, from_status, to_status, trigger,
                                             created_at)
            VALUES (1, NULL, 'open', 'posted', '2026-09-02 10:00+02'),
                   (1, 'open', 'promoted', 'promotion:schedule', '2026-10-01 00:05+02');
        """)
        assert await migrate(conn) == [m.version for m in discover() if m.version >= "0007"]
        run = await conn.fetchrow("SELECT eligibility, votes_not_counted FROM promotion_runs")
        assert tuple(run) == (None, None)
        purpose = await conn.fetchrow("SELECT id, slug, timezone FROM purposes")
        result = await verify_purpose(conn, purpose, date(2026, 9, 1))
        assert result.ok, result.differences
        # Had the run counted by the rule, the deleted account's vote would not count.
        await conn.execute("UPDATE promotion_runs SET eligibility = 'verified_email'")
        assert not (await verify_purpose(conn, purpose, date(2026, 9, 1))).ok
    finally:
        await conn.close()
