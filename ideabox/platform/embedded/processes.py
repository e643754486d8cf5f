"""Small process helpers shared by the embedded PostgreSQL and Redis."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class EmbeddedError(Exception):
    """An embedded service could not be found, started or stopped; the message says why."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port``. Asked the way PostgreSQL and Redis bind
    (SO_REUSEADDR): after a crash the port is held in TIME_WAIT by the connections the
    server had, which they ignore, and the server must come back on the same port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class PortFile:
    """The port a server keeps across restarts, remembered in a file beside its data."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            if self.path.exists():
                self._port = int(self.path.read_text())
            else:
                self._port = self._choose()
        return self._port

    def move_if_taken(self) -> None:
        """Somebody else took the port while the server was stopped: choose a free one."""
        if not port_is_free(self.port):
            self._port = self._choose()

    def _choose(self) -> int:
        port = free_port()
        self.path.write_text(str(port))
        return port


def read_or_create_secret(path: Path) -> str:
    """A random password kept in ``path`` (mode 0600), made on first use."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(24))
    return path.read_text().strip()


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs. A zombie (exited, not yet reaped by its parent) is not alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): trust kill(0)
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


def stop_pid(pid: int, sig: signal.Signals, timeout: float,
             proc: subprocess.Popen[bytes] | None = None) -> None:
    """Send ``sig`` and wait for the process to go; escalate to SIGKILL after ``timeout``."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    if proc is not None:
        try:
            proc.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
    elif wait_until(lambda: not pid_alive(pid), timeout):
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if proc is not None:
        proc.wait(5)
    else:
        wait_until(lambda: not pid_alive(pid), 5)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def which(*names: str) -> Path | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None
