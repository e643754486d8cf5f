"""OpenID providers for the tests: the real ``oidc-provider-mock`` as a process of its own,
and a small provider of the tests' own for what the mock cannot be made to do (sign with
a rolled key, issue a token for another audience, hold back a claim, never answer).

Both run on the loopback address; nothing here reaches beyond the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

# The mock's ID and access tokens last this long (its --token-max-age).
MOCK_TOKEN_SECONDS = 120
START_DEADLINE_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class MockProvider:
    """The ``oidc-provider-mock`` process: its issuer, and its API for choosing what a
    subject's claims are."""

    issuer: str
    process: subprocess.Popen[str]
    log: list[str]

    async def set_claims(self, sub: str, claims: dict[str, Any]) -> None:
        """What the mock says about ``sub`` from now on (PUT /users/<sub>)."""
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.put(f"{self.issuer}/users/{sub}", json=claims)
        assert answer.status_code == 204, answer.text

    async def authorize(self, authorize_url: str, sub: str | None,
                        action: str | None = None) -> str:
        """Submit the mock's authorization form as a person would (as ``sub``, or with
        ``action="deny"``); the address it sends the browser back to."""
        data = {"action": action} if action else {"sub": sub}
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(authorize_url, data=data)
        assert answer.status_code in (302, 303), answer.text[:2000]
        return answer.headers["location"]


@contextlib.contextmanager
def run_mock_provider() -> Iterator[MockProvider]:
    """Start ``oidc-provider-mock`` on a free loopback port and wait, at most
    START_DEADLINE_SECONDS, until its discovery document answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
         "--require-nonce", "--no-refresh-token", "--token-max-age", str(MOCK_TOKEN_SECONDS)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"})
    log: list[str] = []
    listening = threading.Event()

    def drain() -> None:
        # Read the log to the end (a full pipe would stop the server), and tell when the
        # server says it is listening.
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line)
            if "running on" in line.lower():
                listening.set()
        listening.set()  # it ended: stop waiting

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    issuer = f"http://127.0.0.1:{port}"
    try:
        # Wait for the "Uvicorn running on" line (or the process's end), then ask for the
        # discovery document until it answers, within the same deadline.
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        assert listening.wait(START_DEADLINE_SECONDS), "oidc-provider-mock did not start"
        discovery = None
        with httpx.Client(timeout=START_DEADLINE_SECONDS) as http:
            while discovery is None and process.poll() is None and time.monotonic() < deadline:
                with contextlib.suppress(httpx.ConnectError):
                    discovery = http.get(f"{issuer}/.well-known/openid-configuration")
        assert discovery is not None and discovery.status_code == 200, "".join(log)[-3000:]
        assert discovery.json()["issuer"] == issuer
        yield MockProvider(issuer=issuer, process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        reader.join(timeout=10)


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


@dataclass
class OwnProvider:
    """A provider whose every answer the test decides. ``next_claims`` (or ``next_token``)
    is what its token endpoint signs next, with ``signing_key``; ``published`` is the key
    set its JWKS shows."""

    issuer: str
    signing_key: RSAKey
    published: list[RSAKey]
    client_id: str = "ideabox-own"
    userinfo: dict[str, Any] = field(default_factory=dict)
    next_claims: dict[str, Any] = field(default_factory=dict)
    next_token: str | None = None
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    userinfo_requests: int = 0
    jwks_requests: int = 0
    auth_methods: list[str] = field(default_factory=lambda: ["client_secret_post"])
    # Whether the discovery document names a userinfo endpoint.
    userinfo_endpoint: bool = True
    # The token endpoint does not answer until ``release`` is set (a provider that hangs).
    hang: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def id_token(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.signing_key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def discovery(self) -> dict[str, Any]:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "end_session_endpoint": f"{self.issuer}/logout",
            "token_endpoint_auth_methods_supported": self.auth_methods,
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
        }
        if not self.userinfo_endpoint:
            del document["userinfo_endpoint"]
        return document

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        status, answer = 404, {"error": "not_found"}
        if path == "/.well-known/openid-configuration":
            status, answer = 200, self.discovery()
        elif path == "/jwks":
            self.jwks_requests += 1
            status, answer = 200, dict(KeySet(list(self.published)).as_dict())
        elif path == "/token":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            self.token_requests.append({"form": form,
                                        "authorization": headers.get("authorization")})
            if self.hang:
                await self.release.wait()  # after the client has given up waiting
            token = self.next_token or self.id_token(self.next_claims)
            status, answer = 200, {"id_token": token, "access_token": "own-access-token",
                                   "token_type": "Bearer"}
        elif path == "/userinfo":
            self.userinfo_requests += 1
            if headers.get("authorization") == "Bearer own-access-token":
                status, answer = 200, self.userinfo
            else:
                status, answer = 401, {"error": "invalid_token"}
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": msgspec.json.encode(answer)})


@contextlib.asynccontextmanager
async def serve_own_provider(sock: socket.socket) -> AsyncIterator[OwnProvider]:
    """The tests' own provider on ``sock`` (already listening), in this event loop."""
    port = sock.getsockname()[1]
    key = rsa_key("own-1")
    provider = OwnProvider(issuer=f"http://127.0.0.1:{port}", signing_key=key,
                           published=[key])
    server = uvicorn.Server(uvicorn.Config(provider, lifespan="off", log_level="warning",
                                           access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield provider
    finally:
        provider.release.set()
        server.should_exit = True
        await task


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
