"""The OpenID Connect tests' providers and settings.

The app is configured with three providers: ``mitid`` and ``ansat`` are the real
``oidc-provider-mock`` process (the second as a staff provider, as Entra ID would be);
``own`` is the tests' own provider, for what the mock cannot be made to do.

The mock stamps its tokens with the machine's clock, which these tests cannot move; so
each test's frozen app clock is first set to the machine's time, and moved from there.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import msgspec
import pytest

from ideabox.platform.clock import FrozenClock
from ideabox.platform.oidc import OidcProvider
from ideabox.platform.settings import Settings
from tests.identity.providers import (
    MockProvider,
    OwnProvider,
    free_port,
    rsa_key,
    serve_own_provider,
)

RESIDENCE_CLAIM = "kommunekode"
# Aarhus; the CPR register writes municipality codes with four digits.
RESIDENCE_VALUES = ("751", "0751")


@pytest.fixture(scope="session")
def own_socket() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield sock
    sock.close()


@pytest.fixture(scope="session")
async def own_provider_server(own_socket: socket.socket) -> AsyncIterator[OwnProvider]:
    async with serve_own_provider(own_socket) as provider:
        yield provider


@pytest.fixture
def own(own_provider_server: OwnProvider) -> OwnProvider:
    """The tests' own provider, as it is at the start of every test."""
    key = rsa_key("own-1")
    provider = own_provider_server
    provider.signing_key, provider.published = key, [key]
    provider.userinfo, provider.next_claims, provider.next_token = {}, {}, None
    provider.token_requests, provider.userinfo_requests, provider.jwks_requests = [], 0, 0
    provider.auth_methods, provider.hang = ["client_secret_post"], False
    provider.userinfo_endpoint = True
    provider.release.set()  # lets a request an earlier test held back finish
    provider.release = asyncio.Event()
    return provider


@pytest.fixture(scope="session")
def nobody_there() -> str:
    """An issuer on a loopback port where nothing listens (a provider that is down)."""
    return f"http://127.0.0.1:{free_port()}"


def providers_for(mock: MockProvider, own_issuer: str,
                  down_issuer: str) -> tuple[OidcProvider, ...]:
    return (
        OidcProvider(name="mitid", label="MitID", issuer=mock.issuer, client_id="ideabox",
                     client_secret="mitid-secret", residence_claim=RESIDENCE_CLAIM,
                     residence_values=RESIDENCE_VALUES),
        OidcProvider(name="ansat", label="Medarbejderlogin", issuer=mock.issuer,
                     client_id="ideabox-ansat", client_secret="ansat-secret", role="staff"),
        OidcProvider(name="own", label="Eget login", issuer=own_issuer,
                     client_id="ideabox-own", client_secret="own-secret",
                     residence_claim=RESIDENCE_CLAIM, residence_values=RESIDENCE_VALUES),
        OidcProvider(name="nede", label="Nede", issuer=down_issuer, client_id="ideabox",
                     client_secret="nede-secret"),
    )


@pytest.fixture
def settings(settings: Settings, oidc_mock: MockProvider, own_socket: socket.socket,
             nobody_there: str) -> Settings:
    own_issuer = f"http://127.0.0.1:{own_socket.getsockname()[1]}"
    providers = providers_for(oidc_mock, own_issuer, nobody_there)
    return msgspec.structs.replace(settings, oidc_providers=providers, oidc_timeout=3.0)


@pytest.fixture(autouse=True)
def at_the_providers_time(clock: FrozenClock) -> FrozenClock:
    # The one place these tests read the machine's clock: the mock provider's.
    clock.set(datetime.now(UTC))
    return clock
