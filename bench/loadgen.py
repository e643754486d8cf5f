"""A small HTTP/1.1 load generator: N keep-alive connections, one request in flight each.

It shares two cores with the server it measures, so it must cost little per request:
an ``asyncio.Protocol`` per connection (no stream reader, no per-request task), requests
prebuilt as bytes, and responses parsed only as far as the status line and
Content-Length (chunked bodies are understood too, for error pages). No pipelining:
each connection waits for its answer, as a browser or API client does.

A phase runs for ``warmup + duration`` seconds; only requests *started* after the
warm-up count, and the rate is their number over the time from the end of the warm-up
to the last answer.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

# Makes the next request of a connection: bytes to send. Called on the event loop, so
# it may keep state (e.g. remember which pairs it voted for).
RequestFactory = Callable[[], bytes]

SAMPLE_BODIES = 5  # kept per unexpected status, to show what went wrong


def build_request(method: str, path: str, host: str, headers: dict[str, str] | None = None,
                  body: bytes = b"") -> bytes:
    """One HTTP/1.1 request with keep-alive (the default in 1.1) as raw bytes."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "User-Agent: ideabox-bench"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in {"POST", "PUT", "PATCH", "DELETE"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class ProtocolError(Exception):
    """The server answered something this client cannot parse, or closed the connection."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection; ``request()`` sends and resolves with (status, body)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = False
        self.sent_at = 0.0  # when the request in flight was sent
        self.sent: bytes = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ProtocolError(f"connection closed: {exc}"))

    def request(self, raw: bytes) -> asyncio.Future[tuple[int, bytes]]:
        if self.closed or self.transport is None:
            raise ProtocolError("connection closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.sent_at = time.perf_counter()
        self.sent = raw
        self.transport.write(raw)
        return self.waiter

    def expire(self, older_than: float) -> None:
        """Fail the request in flight if it was sent before ``older_than`` (a watchdog:
        a server that never answers must not hang the benchmark)."""
        if self.waiter is not None and not self.waiter.done() and self.sent_at < older_than:
            line = self.sent.split(b"\r\n", 1)[0].decode("latin-1")
            self._fail(f"no answer within the time limit to {line}")

    def _complete(self) -> None:
        buf = self.buffer
        head_end = buf.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = bytes(buf[:head_end]).lower()
        try:
            status = int(head[9:12])
        except ValueError:
            self._fail(f"bad status line {head[:40]!r}")
            return
        start = head_end + 4
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            end_of_line = head.find(b"\r\n", at + 2)
            length = int(head[at + 17:end_of_line if end_of_line >= 0 else None])
            if len(buf) < start + length:
                return
            body = bytes(buf[start:start + length])
            del buf[:start + length]
        elif b"\r\ntransfer-encoding: chunked" in head:
            parsed = _dechunk(buf, start)
            if parsed is None:
                return
            body, consumed = parsed
            del buf[:consumed]
        else:
            self._fail("a response without Content-Length or chunking")
            return
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, body))

    def _fail(self, why: str) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ProtocolError(why))
        if self.transport is not None:
            self.transport.close()


def _dechunk(buf: bytearray, pos: int) -> tuple[bytes, int] | None:
    """A complete chunked body starting at ``pos``: (body, end offset), or None for more."""
    parts: list[bytes] = []
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buf[pos:line_end]).split(b";", 1)[0], 16)
        pos = line_end + 2
        if size == 0:
            trailer_end = buf.find(b"\r\n", pos)  # no trailers expected: just the blank line
            return (b"".join(parts), trailer_end + 2) if trailer_end >= 0 else None
        if len(buf) < pos + size + 2:
            return None
        parts.append(bytes(buf[pos:pos + size]))
        pos += size + 2


@dataclass
class PhaseResult:
    """What one phase measured."""

    name: str
    requests: int
    seconds: float
    latencies: list[float]  # seconds, of counted requests
    statuses: Counter[int]
    errors: int  # connection failures (not HTTP statuses)
    samples: dict[int, list[bytes]] = field(default_factory=dict)
    cpu: dict[str, float | None] = field(default_factory=dict)
    total_requests: int = 0  # warm-up included, for counters read around the whole phase
    work: dict[str, float | None] = field(default_factory=dict)  # see counters.py

    def cpu_ms_per_request(self) -> dict[str, float | None]:
        """CPU milliseconds each group spent per counted request: unlike the rate, this
        hardly moves when something else on the machine takes CPU."""
        if not self.requests or not self.seconds:
            return {}
        return {group: None if pct is None else round(pct / 100 * self.seconds * 1000
                                                       / self.requests, 3)
                for group, pct in self.cpu.items() if group not in ("other", "machine")}

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float | None:
        """Latency at quantile ``q`` (0–1) in milliseconds, nearest-rank."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
        return ordered[index] * 1000.0

    def ok_share(self, expected: int = 200) -> float:
        return self.statuses.get(expected, 0) / self.requests if self.requests else 0.0


async def connect(host: str, port: int) -> _Connection:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(_Connection, host, port)
    return protocol


class Window(Protocol):
    """Told when counting starts and ends (procs.CpuMeter, profiling.ProfiledWindow)."""

    def start(self) -> None: ...

    def stop(self) -> dict[str, float | None]: ...


# One operation of one client (a request on its connection, a statement on its database
# connection): answers (status, body). An exception counts as a failed operation.
Operation = Callable[[], Awaitable[tuple[int, bytes]]]


async def measure(name: str, operations: list[Operation], *, warmup: float, duration: float,
                  expected: int = 200, meter: Window | None = None) -> PhaseResult:
    """Run every operation in its own loop, back to back, for ``warmup + duration`` s.

    Shared by the HTTP phases and the database baseline, so both count alike."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    samples: dict[int, list[bytes]] = {}
    errors = 0
    completed = 0
    last_end = 0.0
    now = time.perf_counter
    t0 = now()
    count_from = t0 + warmup
    stop_at = count_from + duration
    loop = asyncio.get_running_loop()
    if meter is not None:
        loop.call_later(warmup, meter.start)

    async def drive(operation: Operation) -> None:
        nonlocal errors, completed, last_end
        while True:
            start = now()
            if start >= stop_at:
                return
            try:
                status, body = await operation()
            except (ProtocolError, OSError) as exc:
                errors += 1
                status, body = 0, repr(exc).encode()
            end = now()
            completed += 1
            if start >= count_from:
                latencies.append(end - start)
                statuses[status] += 1
                last_end = end if end > last_end else last_end
                if status != expected:
                    kept = samples.setdefault(status, [])
                    if len(kept) < SAMPLE_BODIES:
                        kept.append(body[:300])

    await asyncio.gather(*(drive(op) for op in operations))
    cpu = meter.stop() if meter is not None else {}
    return PhaseResult(name=name, requests=sum(statuses.values()),
                       seconds=max(last_end - count_from, 0.0), latencies=latencies,
                       statuses=statuses, errors=errors, samples=samples, cpu=cpu,
                       total_requests=completed)


REQUEST_TIMEOUT = 30.0  # seconds; a request unanswered for longer counts as failed


class _Client:
    """One connection's client: reconnects after the server closed the connection."""

    def __init__(self, host: str, port: int, conn: _Connection,
                 make_request: RequestFactory) -> None:
        self.host, self.port, self.conn, self.make_request = host, port, conn, make_request

    async def __call__(self) -> tuple[int, bytes]:
        if self.conn.closed:
            self.conn = await connect(self.host, self.port)
        return await self.conn.request(self.make_request())

    def close(self) -> None:
        if self.conn.transport is not None:
            self.conn.transport.close()


async def run_phase(name: str, host: str, port: int, make_request: RequestFactory, *,
                    concurrency: int, warmup: float, duration: float, expected: int = 200,
                    meter: Window | None = None) -> PhaseResult:
    """Keep ``concurrency`` keep-alive connections busy for ``warmup + duration`` s."""
    connections = await asyncio.gather(*(connect(host, port) for _ in range(concurrency)))
    clients = [_Client(host, port, conn, make_request) for conn in connections]

    async def watchdog() -> None:
        while True:
            await asyncio.sleep(1.0)
            limit = time.perf_counter() - REQUEST_TIMEOUT
            for client in clients:
                client.conn.expire(limit)

    watching = asyncio.get_running_loop().create_task(watchdog())
    try:
        return await measure(name, list(clients), warmup=warmup, duration=duration,
                             expected=expected, meter=meter)
    finally:
        watching.cancel()
        for client in clients:
            client.close()
