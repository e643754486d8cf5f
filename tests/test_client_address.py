"""The client's address, for rate limits and logs: X-Forwarded-For is believed only
from the proxies named in IDEABOX_TRUSTED_PROXIES."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.connection import ASGIConnection

from ideabox.http.security import ClientAddress

PROXIES = ClientAddress(("127.0.0.1", "::1", "10.0.0.0/8"))


def _connection(peer: str, forwarded: str | None = None) -> ASGIConnection[Any, Any, Any, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return ASGIConnection({"type": "http", "client": (peer, 50000), "headers": headers,
                           "path": "/", "query_string": b""})  # type: ignore[typeddict-item]


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    # Straight from the client: what it says about itself is not believed.
    ("198.51.100.7", None, "198.51.100.7"),
    ("198.51.100.7", "192.0.2.1", "198.51.100.7"),
    ("2001:db8::7", "192.0.2.1", "2001:db8::7"),
    # Through a trusted proxy: the address it saw.
    ("127.0.0.1", "192.0.2.1", "192.0.2.1"),
    ("::1", "2001:db8::1", "2001:db8::1"),
    ("10.1.2.3", " 192.0.2.1 ", "192.0.2.1"),
    # A client may put anything in front; the nearest address no trusted proxy
    # vouches for is the client.
    ("127.0.0.1", "203.0.113.9, 192.0.2.1", "192.0.2.1"),
    ("127.0.0.1", "203.0.113.9, 192.0.2.1, 10.0.0.5", "192.0.2.1"),
    # Only proxies all the way: the farthest one.
    ("127.0.0.1", "10.0.0.9, 10.0.0.5", "10.0.0.9"),
    # A trusted proxy that sent no header, or an empty one.
    ("127.0.0.1", None, "127.0.0.1"),
    ("127.0.0.1", " , ", "127.0.0.1"),
])
def test_forwarded_for_is_believed_only_from_trusted_proxies(peer, forwarded, client):
    assert PROXIES(_connection(peer, forwarded)) == client
