"""Webhook tests: deliveries to a real HTTP receiver on this machine's loopback address,
which the settings allow here (production refuses private addresses)."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest

from ideabox.platform.settings import Settings
from tests.webhooks.receiver import Receiver, receiving


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private_addresses=True,
                                   base_url="https://ideer.kommune.dk", cookie_secure=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as started:
        yield started
