"""A real HTTP receiver for webhook deliveries, on a free loopback port in a thread of its
own: it records each request and answers with the status codes it is told to."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result


@dataclass
class Receiver:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    # Status codes to answer, in turn; then 200.
    answers: list[int] = field(default_factory=list)
    # Or: the status code for each request, by what it is.
    decide: Callable[[Received], int] | None = None
    # While set, each request is held here until ``release`` is set.
    hold: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Received) -> int:
        if self.decide is not None:
            return self.decide(request)
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    def types(self) -> list[str]:
        return [r.json["type"] for r in self.requests]


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            received = Received(dict(self.headers.items()), body)
            with receiver.lock:
                receiver.requests.append(received)
            receiver.arrived.set()
            if receiver.hold.is_set():
                receiver.release.wait(30)
            code = receiver.answer(received)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()


def verify(secret: str, headers: dict[str, str], body: bytes, now: float | None = None,
           tolerance: int = 300) -> bool:
    """The README's verification example, word for word (the receiver's side)."""
    timestamp = headers["Ideabox-Webhook-Timestamp"]
    if abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["Ideabox-Webhook-Signature"], f"v1={expected}")
