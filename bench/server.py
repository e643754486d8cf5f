"""A throw-away ideabox installation: its own data dir, PostgreSQL, Redis and ``serve``.

Reusable by every benchmark: ``embedded_stack()`` gives a migrated, empty database (load
it with ``data.py``), ``Service`` runs ``ideabox serve`` against it, ``ideabox()`` runs any
other command (``cache rebuild``, ``promote`` …) against the same data.

The bench process itself joins the embedded services (the same code ``serve`` uses), so
PostgreSQL stays up between loading and serving, and stops when the bench leaves — also
on Ctrl-C or an error. ``serve`` runs in its own session so that a Ctrl-C reaches only the
bench, which then stops the server in order: SIGTERM, then SIGKILL to its whole group.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import procs

from ideabox.platform.embedded import embedded_services
from ideabox.platform.embedded.processes import pid_alive, stop_pid
from ideabox.platform.migrations import migrate_url
from ideabox.platform.settings import PREFIX, load_settings
from ideabox.runtime import run

# Settings every benchmark wants: no per-request logging (it would be measured too) and
# a write limit far above what one benchmark user does in a minute.
BENCH_SETTINGS = {
    "IDEABOX_ACCESS_LOG": "false",
    "IDEABOX_LOG_LEVEL": "warning",
    "IDEABOX_WRITES_PER_MINUTE": "100000000",
}


@dataclass(frozen=True)
class Stack:
    """A running embedded PostgreSQL and Redis under ``data_dir``, schema applied."""

    data_dir: Path
    database_url: str
    redis_url: str
    env: dict[str, str]  # the environment every ideabox subprocess gets

    def postgres_pid(self) -> int | None:
        try:
            first = (self.data_dir / "postgres" / "data" / "postmaster.pid").read_text()
            return int(first.split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def redis_pid(self) -> int | None:
        try:
            return int((self.data_dir / "redis" / "redis.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def postgres_pids(self) -> set[int]:
        pid = self.postgres_pid()
        return procs.descendants(pid) if pid else set()

    def redis_pids(self) -> set[int]:
        pid = self.redis_pid()
        return {pid} if pid else set()


def bench_environment(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any IDEABOX_* of the caller's (a configured
    database URL would point the benchmark at real data), plus the bench settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    env |= BENCH_SETTINGS | {"IDEABOX_DATA_DIR": str(data_dir)} | (extra or {})
    return env


@contextlib.contextmanager
def embedded_stack(data_dir: Path | None = None, *, keep: bool = False,
                   extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Start PostgreSQL and Redis in a fresh temporary data dir (or ``data_dir``), apply
    the migrations, and yield the stack. Everything is stopped (and the temporary dir
    removed unless ``keep``) on the way out."""
    made = data_dir is None
    root = Path(tempfile.mkdtemp(prefix="ideabox-bench-")) if data_dir is None else data_dir
    env = bench_environment(root, extra_env)
    stack: Stack | None = None
    try:
        with embedded_services(load_settings(env)) as settings:
            assert settings.database_url and settings.redis_url
            stack = Stack(root, settings.database_url, settings.redis_url, env)
            run(migrate_url(settings.database_url))
            yield stack
    finally:
        if made and stack is not None:
            _reap(stack)
        if made and not keep:
            shutil.rmtree(root, ignore_errors=True)


def _reap(stack: Stack) -> None:
    """Stop what is still running in a temporary data dir of ours.

    The embedded services stop when their last user leaves; a user that was killed
    rather than stopped (or a worker that outlived it) would keep them up for good.
    Nobody else can be using a temporary dir we made, so whatever still runs goes.
    """
    for pid, sig, names in ((stack.redis_pid(), signal.SIGTERM, (b"valkey", b"redis")),
                            (stack.postgres_pid(), signal.SIGINT, (b"postgres",))):
        # A pid file left behind may name a pid the system has since given to another
        # program: stop it only if it is still the server we started.
        if pid is not None and pid_alive(pid) and _runs(pid, names):
            stop_pid(pid, sig, 10.0)


def _runs(pid: int, names: tuple[bytes, ...]) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return any(name in command for name in names)


def ideabox(stack: Stack, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """Run an ``ideabox`` command against the stack's data (it joins the same services)."""
    return subprocess.run([sys.executable, "-m", "ideabox", *args], env=stack.env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def has_command(stack: Stack, *words: str) -> bool:
    """Whether this checkout's CLI knows ``ideabox <words…>`` (features land over time)."""
    return ideabox(stack, *words, "--help", timeout=60).returncode == 0


class ServiceError(Exception):
    """``ideabox serve`` did not become ready; the message holds the end of its log."""


class Service:
    """``ideabox serve --port P --workers N`` as a subprocess, until ``stop()``."""

    def __init__(self, stack: Stack, port: int, workers: int) -> None:
        self.stack = stack
        self.port = port
        self.workers = workers
        self.log_path = stack.data_dir / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ideabox", "serve", "--port", str(self.port),
                 "--workers", str(self.workers)],
                env=self.stack.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServiceError(f"ideabox serve exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            if self._ready():
                return
            time.sleep(0.2)
        raise ServiceError(f"ideabox serve was not ready within {timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.base_url + "/readyz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def pids(self) -> set[int]:
        """The server's processes: granian's supervisor and its workers."""
        return procs.descendants(self.proc.pid) if self.proc else set()

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        return sorted(self.pids() - {self.proc.pid})

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (granian drains and stops its workers), then SIGKILL whatever is left."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout)
        # The group is the server's own session: workers that outlived it go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)

    def __enter__(self) -> Service:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
