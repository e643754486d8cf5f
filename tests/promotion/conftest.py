"""Running the ``ideabox`` command as a real process against the test's database."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.conftest import SECRET

RunCli = Callable[..., Awaitable[tuple[int, str, str]]]


@pytest.fixture
def run_cli(database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path) -> RunCli:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("IDEABOX_")},
        "IDEABOX_DATABASE_URL": database_url,
        "IDEABOX_REDIS_URL": redis_url,
        "IDEABOX_REDIS_PREFIX": redis_prefix,
        "IDEABOX_SECRET_KEY": SECRET,
        "IDEABOX_DATA_DIR": str(tmp_path / "data"),
        "IDEABOX_LOG_FORMAT": "text",
    }

    async def run(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ideabox", *args, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    return run
