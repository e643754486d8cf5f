"""Machinery for fault tests: a real ``ideabox serve``, a load that records every answer,
and the servers a test may crash.

A fault test runs ideabox as an operator does (``serve``), drives it with concurrent
clients (``Load``), breaks something underneath it (a worker, PostgreSQL, Redis), and
then holds what each client was told against what PostgreSQL holds (``VoteLedger``)
and what the cache shows (``tally_differences``).

- ``serve(env, log_path, workers=N)``: ``python -m ideabox serve`` on a free port with
  the environment given (start from ``tests.conftest.ideabox_env``); ready when /readyz
  says so; stopped with SIGTERM at the end (its process group killed if it will not).
  ``Served.workers()`` finds its worker processes.
- ``Load(url, clients, step)``: each client is one user agent with its own keep-alive
  connections, running ``step(client)`` over and over until the load stops. Every
  request's outcome is an ``Answer``: the status, or the transport error when there
  was no HTTP answer at all, with when it started and ended.
- ``Client.until_answered``: what a well-behaved client of an idempotent request does,
  sending again after a transport error or a 503.
- ``crash_postgres``/``crash_redis`` and the servers' own ``start()``: a crash and a
  restart on the same data and port.
- ``eventually``: polls a condition with a deadline. Nothing here sleeps to wait for a
  thing; the only pauses are a client's between its retries (``RETRY_PAUSE``).

Everything runs in the test's event loop; blocking calls (starting a server) go to a
thread so that the clients go on meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncpg
import httpx

from ideabox.platform.cache import Cache, CacheUnavailable, create_client
from ideabox.platform.clock import SystemClock
from ideabox.platform.embedded import EmbeddedPostgres, EmbeddedRedis
from ideabox.platform.embedded.processes import pid_alive
from ideabox.votes.tallies import Tallies
from tests.factories import bearer, make_purpose, make_user, post_idea

PROJECT = Path(__file__).resolve().parents[2]

RETRY_PAUSE = 0.05
"""How long a client waits before sending a failed request again. Shorter than the
Retry-After the service asks for: a test wants to see the recovery, not wait it out."""

LOAD_SETTINGS = {
    # Every client votes as fast as it can: far beyond a person's allowance.
    "IDEABOX_WRITES_PER_MINUTE": "1000000",
    "IDEABOX_ACCESS_LOG": "false",
}
"""Settings a serve under test load needs, on top of ``ideabox_env``."""


async def eventually(check: Callable[[], bool | Awaitable[bool]], *, timeout: float,
                     what: str, interval: float = 0.05) -> float:
    """Poll ``check`` until it is true; answers the seconds that took. After ``timeout``
    the test fails, saying ``what`` did not happen."""
    started = time.monotonic()
    while True:
        outcome = check()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        await asyncio.sleep(interval)


# -- the server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (any of its threads may have), from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _program(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


class Served:
    """A running ``ideabox serve``: where it listens, its processes, what it logged."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        # Whether it was SIGKILLed (``kill``): its exit code then says so, not a fault.
        self.killed = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        """The worker processes: serve's children running Python as serve does (the
        embedded PostgreSQL and Redis, when serve started them, are children too)."""
        program = _program(self.pid)
        return sorted(child for child in children(self.pid)
                      if pid_alive(child) and _program(child) == program)

    def log(self, lines: int = 60) -> str:
        """The end of what serve and its workers wrote, for a failing test to show, and
        before it every error it logged with its traceback (a 500's cause scrolls away
        under a load's log lines)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        every = text.splitlines()
        errors = [n for n, line in enumerate(every) if " error " in f" {line} "
                  or line.startswith("Traceback")]
        shown = sorted({m for n in errors for m in range(n, min(n + 40, len(every)))})
        first = "\n".join(every[m] for m in shown)
        return (f"errors:\n{first}\n...\n" if first else "") + "\n".join(every[-lines:])

    async def ready(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=2) as http:
                return (await http.get(f"{self.url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    async def wait_ready(self, timeout: float = 90) -> float:
        async def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n"
                                     f"{self.log()}")
            return await self.ready()

        return await eventually(up, timeout=timeout, what="serve answers /readyz")

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as an operator or a supervisor stops it; answers its exit code. If it
        (with every worker) has not ended within ``timeout``, its whole process group is
        killed and the test fails: stopping must always work and leave nothing behind."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            await eventually(lambda: self.process.poll() is not None, timeout=timeout,
                             what="serve ends after SIGTERM")
            await eventually(self._group_gone, timeout=10, what="no worker is left behind")
        except AssertionError:
            self.kill()
            raise
        return self.process.returncode

    def _group_gone(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return True
        return False

    def kill(self) -> None:
        """SIGKILL serve's process group (its own session: nothing else is in it)."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)


@contextlib.asynccontextmanager
async def serve(env: dict[str, str], log_path: Path, *, workers: int = 1,
                ready_timeout: float = 90) -> AsyncIterator[Served]:
    """``ideabox serve --workers N`` on a free port, ready; stopped (and checked to stop)
    when the block ends, unless the test has killed it (``Served.kill``)."""
    port = free_port()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ideabox", "serve", "--port", str(port),
             "--workers", str(workers)],
            env=env, cwd=PROJECT, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
    served = Served(process, port, log_path)
    try:
        await served.wait_ready(ready_timeout)
        yield served
    finally:
        try:
            code = await served.stop()
        finally:
            if served.process.poll() is None:
                served.kill()
        assert served.killed or code == 0, f"serve exited with {code}:\n{served.log()}"


async def kill_worker(served: Served, worker: int) -> float:
    """SIGKILL one worker, as the OOM killer does; answers the moment it was gone."""
    os.kill(worker, signal.SIGKILL)
    await eventually(lambda: not pid_alive(worker), timeout=10, what=f"worker {worker} dies",
                     interval=0.005)
    return time.monotonic()


# -- the servers underneath ----------------------------------------------------------


async def crash_postgres(server: EmbeddedPostgres) -> float:
    """Stop PostgreSQL as a crash does (SIGQUIT to the postmaster, which is what
    ``pg_ctl stop -m immediate`` sends): every session cut, no checkpoint; the next start
    recovers from the write-ahead log. Answers the moment of the signal (its sessions
    end at once; the postmaster itself goes last), once it is gone."""
    pid = server.running_pid()
    assert pid is not None, "PostgreSQL is not running"
    crashed_at = time.monotonic()
    os.kill(pid, signal.SIGQUIT)
    await eventually(lambda: not pid_alive(pid), timeout=30, what="PostgreSQL stops",
                     interval=0.01)
    return crashed_at


async def crash_redis(server: EmbeddedRedis) -> float:
    """SIGKILL Redis: it comes back (``start()``) with its last snapshot, whatever the
    tallies were since. Answers the moment of the signal, once it is gone."""
    pid = server.running_pid()
    assert pid is not None, "Redis is not running"
    crashed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    await eventually(lambda: not pid_alive(pid), timeout=10, what="Redis dies", interval=0.01)
    return crashed_at


async def restart(server: EmbeddedPostgres | EmbeddedRedis) -> float:
    """Start a crashed server again on its data dir and port (in a thread: the load goes
    on meanwhile); answers the moment it was ready."""
    url = server.url
    assert await asyncio.to_thread(server.start) == url, "it came back elsewhere"
    return time.monotonic()


class CuttingProxy:
    """A TCP proxy in front of PostgreSQL that, once ``arm()``-ed, cuts the next
    connection on which the server answers: the answer is dropped and both sides are
    closed. Armed while a statement waits (for a lock the test holds), it makes that
    statement commit and its client lose the connection before hearing so: a write
    in doubt, as a crash at the wrong moment leaves it."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.cut = asyncio.Event()
        self._armed = False
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[Any]] = set()
        self.port = 0

    def arm(self) -> None:
        self._armed = True

    async def __aenter__(self) -> CuttingProxy:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for handler in self._handlers:
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _connection(self, client_r: asyncio.StreamReader,
                          client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        server_r, server_w = await asyncio.open_connection(*self.target)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                       from_server: bool) -> None:
            try:
                while data := await source.read(65536):
                    if from_server and self._armed:
                        self._armed = False
                        self.cut.set()
                        break
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                for writer in (client_w, server_w):
                    writer.close()

        await asyncio.gather(pipe(client_r, server_w, False), pipe(server_r, client_w, True))


# -- the load -----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one request got: ``status``, or (None) the ``error`` that stood for it."""

    client: int
    method: str
    path: str
    started: float  # time.monotonic()
    ended: float
    status: int | None
    error: str | None = None
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def unavailable(self) -> bool:
        """A 503 that says when to try again, as every 503 must."""
        return self.status == 503 and self.retry_after is not None


class Client:
    """One user agent of a ``Load``: its own connections, and every answer it got."""

    def __init__(self, index: int, http: httpx.AsyncClient) -> None:
        self.index = index
        self.http = http
        self.answers: list[Answer] = []
        self.steps = 0  # steps finished; a step may choose its work by it

    async def send(self, method: str, path: str, **kwargs: Any) -> tuple[Answer, Any]:
        """One request; answers what it got, and the JSON body if there is one."""
        started = time.monotonic()
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            answer = Answer(self.index, method, path, started, time.monotonic(), None,
                            error=f"{type(exc).__name__}: {exc}")
            self.answers.append(answer)
            return answer, None
        answer = Answer(self.index, method, path, started, time.monotonic(),
                        response.status_code, retry_after=response.headers.get("retry-after"))
        self.answers.append(answer)
        body = None
        if response.headers.get("content-type", "").startswith("application/json"):
            body = response.json()
        return answer, body

    async def until_answered(self, method: str, path: str, *, timeout: float = 60,
                             **kwargs: Any) -> tuple[Answer, Any]:
        """Send until the service answers with something other than 503 (a transport
        error or a 503 is tried again), as a client of an idempotent request does."""
        deadline = time.monotonic() + timeout
        while True:
            answer, body = await self.send(method, path, **kwargs)
            if answer.status not in (None, 503):
                return answer, body
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer to {method} {path} within {timeout} s: "
                                     f"{answer}")
            await asyncio.sleep(RETRY_PAUSE)  # a client's pause between retries

    def acknowledged_since(self, moment: float) -> int:
        return sum(1 for a in self.answers if a.ok and a.started >= moment)


Step = Callable[[Client], Awaitable[None]]


class Load:
    """``clients`` concurrent clients of ``url``, each running ``step`` over and over
    until the load stops. A step under way when the load stops is finished first, so
    that after ``stop()`` every client knows how its last request ended."""

    def __init__(self, url: str, clients: int, step: Step, *, timeout: float = 30) -> None:
        self.clients = [Client(i, httpx.AsyncClient(base_url=url, timeout=timeout))
                        for i in range(clients)]
        self._step = step
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Load:
        self._tasks = [asyncio.create_task(self._run(client)) for client in self.clients]
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    async def _run(self, client: Client) -> None:
        while not self._stopping:
            await self._step(client)
            client.steps += 1

    async def stop(self, timeout: float = 120) -> None:
        """Let every client finish its step, then close their connections. A step that
        failed fails the test here."""
        self._stopping = True
        try:
            await asyncio.wait_for(asyncio.gather(*self._tasks), timeout)
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            for client in self.clients:
                await client.http.aclose()

    @property
    def answers(self) -> list[Answer]:
        """Every answer of every client, in the order the requests started."""
        return sorted((a for c in self.clients for a in c.answers), key=lambda a: a.started)

    async def until_each_acknowledged(self, count: int, *, since: float = 0.0,
                                      timeout: float = 60) -> float:
        """Wait until every client has had ``count`` requests answered 2xx that started
        at or after ``since``."""
        def enough() -> bool:
            for task in self._tasks:
                if task.done():
                    task.result()  # a client that failed fails the test now
            return all(c.acknowledged_since(since) >= count for c in self.clients)

        return await eventually(enough, timeout=timeout,
                                what=f"every client gets {count} answers")


# -- votes, and what the cache shows of them --------------------------------------------


@dataclass(frozen=True)
class Scene:
    """A purpose, its ideas, and the people who vote on them (one per client)."""

    purpose_id: int
    slug: str
    timezone: str
    ideas: list[int]
    voters: list[tuple[int, str]]  # (user id, bearer token)


async def make_scene(conn: asyncpg.Connection, url: str, *, voters: int,
                     ideas: int) -> Scene:
    """``ideas`` ideas posted through the service at ``url``, and ``voters`` people with
    API tokens, made through the real services."""
    purpose = await make_purpose(conn)
    _, author = await make_user(conn)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        posted = [await post_idea(http, author, purpose.slug) for _ in range(ideas)]
    people = [await make_user(conn) for _ in range(voters)]
    return Scene(purpose.id, purpose.slug, purpose.timezone, [idea["id"] for idea in posted],
                 [(viewer.id, token) for viewer, token in people])


class VoteLedger:
    """What each client was last told about each (voter, idea): vote or none. After a
    load, the votes table must hold exactly the votes the ledger says were cast."""

    def __init__(self) -> None:
        self.voted: dict[tuple[int, int], bool] = {}

    async def toggle(self, client: Client, voter: tuple[int, str], idea_id: int) -> Answer:
        """Vote for the idea if the voter's last acknowledged state is no vote, else take
        the vote back; send until answered, and write down what the answer says."""
        voter_id, token = voter
        voted = self.voted.get((voter_id, idea_id), False)
        answer, body = await client.until_answered(
            "DELETE" if voted else "PUT", f"/api/v1/ideas/{idea_id}/vote",
            headers=bearer(token))
        assert answer.status == 200, answer
        assert body["voted"] is not voted, body
        self.voted[(voter_id, idea_id)] = body["voted"]
        return answer

    async def differences(self, conn: asyncpg.Connection) -> dict[str, set[tuple[int, int]]]:
        """Acknowledged votes the table lacks (``lost``) and acknowledged retractions it
        still holds (``undone``)."""
        ideas = sorted({idea for _, idea in self.voted})
        rows = await conn.fetch("SELECT voter_id, idea_id FROM votes WHERE idea_id = ANY($1)",
                                ideas)
        held = {(row["voter_id"], row["idea_id"]) for row in rows}
        cast = {pair for pair, voted in self.voted.items() if voted}
        return {"lost": cast - held, "undone": (held - cast) & set(self.voted)}


async def tally_differences(url: str, conn: asyncpg.Connection, tallies: Tallies,
                            scene: Scene) -> dict[int, tuple[int, int | None, int | None]]:
    """The ideas whose total differs between ``count(*)`` over votes, what the API
    answers and what Redis holds: ``{idea: (count, api, redis)}``, empty when exact.
    (Redis is read directly too: the API answers from PostgreSQL while it distrusts it.)"""
    rows = await conn.fetch("SELECT i.id, (SELECT count(*) FROM votes v WHERE v.idea_id = i.id)"
                            " AS n FROM ideas i WHERE i.id = ANY($1)", scene.ideas)
    truth = {row["id"]: int(row["n"]) for row in rows}
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        shown = {idea: (await http.get(f"/api/v1/ideas/{idea}")).json()["votes"]
                 for idea in scene.ideas}
    month = tallies.month(scene.timezone)
    tallies.cache.trusted = True  # a failed read made it distrust Redis; look again
    try:
        cached = await tallies.read([(scene.purpose_id, idea, month) for idea in scene.ideas])
    except CacheUnavailable:
        cached = [None] * len(scene.ideas)
    held = {idea: (tally.total if tally else None) for idea, tally in zip(scene.ideas, cached,
                                                                         strict=True)}
    return {idea: (truth[idea], shown[idea], held[idea]) for idea in scene.ideas
            if not truth[idea] == shown[idea] == held[idea]}


@contextlib.asynccontextmanager
async def redis_tallies(redis_url: str, prefix: str) -> AsyncIterator[Tallies]:
    """The tallies under ``prefix``, read as they are (believed whatever the marker)."""
    cache = Cache(create_client(redis_url, 2.0), prefix)
    cache.trusted = True
    try:
        # serve runs on the machine's clock, and so do these tallies.
        yield Tallies(cache, SystemClock())
    finally:
        await cache.close()


def describe(answers: Sequence[Answer]) -> str:
    """A short account of answers for an assertion message."""
    counts: dict[str, int] = {}
    for answer in answers:
        key = str(answer.status) if answer.status is not None else (answer.error or "?")
        counts[key.split(":")[0]] = counts.get(key.split(":")[0], 0) + 1
    return ", ".join(f"{n} x {what}" for what, n in sorted(counts.items()))
