"""Settings, read once from the environment (``IDEABOX_*``) into one typed object.

Every setting is declared once in ``SETTINGS`` below with its default and a sentence
for the README; ``tests/test_settings.py`` checks that the README lists them all.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from ideabox.platform.oidc import OidcProvider, parse_providers

PREFIX = "IDEABOX_"


class SettingsError(Exception):
    """A setting has a value the service cannot use; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    redis_url: str | None = None
    data_dir: Path = Path(".ideabox")
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    log_level: str = "info"
    log_format: str = "json"
    access_log: bool = True
    db_pool_max: int = 20
    db_timeout: float = 5.0
    statement_timeout: float = 5.0
    redis_timeout: float = 0.25
    redis_prefix: str = "ideabox"
    cookie_secure: bool | None = None
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    signin_failures_per_email_and_address: int = 5
    signin_failures_per_email: int = 100
    signin_failures_per_address: int = 50
    signin_window_seconds: int = 900
    signups_per_address: int = 20
    writes_per_minute: int = 120
    signal_accounts: int = 10
    signal_window_minutes: int = 60
    signal_address_accounts: int = 3
    session_days: int = 30
    api_token_days: int = 90
    shutdown_seconds: int = 15
    background_tasks: bool = True
    reconcile_interval: float = 2.0
    leader_check_seconds: float = 5.0
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")
    promotion_delay_minutes: int = 5
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "ideabox <noreply@localhost>"
    smtp_starttls: bool = True
    accessibility_url: str = "https://www.was.digst.dk/"
    default_language: str = "da"
    oidc_providers: tuple[OidcProvider, ...] = ()
    oidc_timeout: float = 10.0
    webhook_timeout: float = 10.0
    webhook_retry_seconds: float = 30.0
    webhook_give_up_hours: int = 24
    webhook_poll_seconds: float = 5.0
    webhook_allow_private_addresses: bool = False
    now: datetime | None = None

    @property
    def promotion_delay(self) -> timedelta:
        """How long after a month ends (in a purpose's zone) it is promoted."""
        return timedelta(minutes=self.promotion_delay_minutes)

    @property
    def embedded_postgres(self) -> bool:
        return self.database_url is None

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.base_url.startswith("https://")


@dataclass(frozen=True)
class Setting:
    """One environment variable: its field, how to parse it and what it means."""

    field: str
    parse: Callable[[str], Any]
    help: str
    # A value holding secrets is never repeated in the message about it.
    secret: bool = False

    @property
    def env(self) -> str:
        return PREFIX + self.field.upper()

    @property
    def default(self) -> Any:
        return getattr(Settings(), self.field)


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("expected a whole number of at least 1")
    return value


def _several(raw: str) -> int:
    value = int(raw)
    if value < 2:
        raise ValueError("expected a whole number of at least 2")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError("expected a number above 0")
    return value


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return parse


def _list(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _networks(raw: str) -> tuple[str, ...]:
    parts = _list(raw)
    for part in parts:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ValueError(f"{part!r} is not an address or a network (CIDR)") from None
    return parts


def _instant(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.strip())
    if value.tzinfo is None:
        raise ValueError("expected an ISO 8601 instant with its offset, "
                         "e.g. 2026-11-30T23:59:00+01:00")
    return value


def _url(*schemes: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip()
        if "://" not in value or value.split("://", 1)[0] not in schemes:
            starts = " or ".join(s + "://" for s in schemes)
            raise ValueError(f"expected a URL starting with {starts}")
        return value

    return parse


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", _url("postgresql", "postgres"),
            "PostgreSQL URL. Unset: an embedded PostgreSQL with its data under the data dir."),
    Setting("redis_url", _url("redis", "rediss", "unix"),
            "Redis URL. Unset: an embedded Redis (Valkey) with its data under the data dir."),
    Setting("data_dir", Path, "Where the embedded PostgreSQL and Redis keep their data, "
            "and the generated secret key."),
    Setting("secret_key", str, "Signs CSRF tokens. Unset with the embedded database: generated "
            "once and kept in the data dir. Required with IDEABOX_DATABASE_URL."),
    Setting("base_url", _url("http", "https"),
            "The public address, used for links in exports and e-mails. Unset: the "
            "address `ideabox serve` listens on."),
    Setting("log_level", _choice("debug", "info", "warning", "error"), "Log level."),
    Setting("log_format", _choice("json", "text"), "`json`: one JSON object per line; "
            "`text`: for reading. Unset: `text` when `ideabox serve` runs in a terminal."),
    Setting("access_log", _bool, "Log one line per HTTP request."),
    Setting("db_pool_max", _positive_int, "Most connections each worker opens to PostgreSQL."),
    Setting("db_timeout", _positive_float, "Seconds to wait for a PostgreSQL connection "
            "before answering 503."),
    Setting("statement_timeout", _positive_float, "Seconds a request's SQL statement may "
            "run before PostgreSQL cancels it and the request answers 503. The promotion "
            "and exports, long by nature, are not limited."),
    Setting("redis_timeout", _positive_float, "Seconds to wait for Redis (connect and each "
            "command) before falling back to PostgreSQL."),
    Setting("redis_prefix", str, "Prefix of every Redis key, so deployments can share a Redis."),
    Setting("cookie_secure", _bool, "Mark cookies Secure. Unset: on when IDEABOX_BASE_URL "
            "starts with https://."),
    Setting("trusted_proxies", _list, "Comma-separated addresses of reverse proxies whose "
            "X-Forwarded-For is believed (for rate limits and logs)."),
    Setting("signin_failures_per_email_and_address", _positive_int,
            "Failed sign-ins allowed per e-mail address from one client address in the "
            "sign-in window; past it, that address waits, the right password too."),
    Setting("signin_failures_per_email", _positive_int,
            "Failed sign-ins allowed per e-mail address from all addresses together in the "
            "sign-in window: stops a guessing run spread over many addresses."),
    Setting("signin_failures_per_address", _positive_int,
            "Failed sign-ins allowed per client address, whatever the e-mail, in the sign-in "
            "window (good sign-ins do not count: a town hall shares one address)."),
    Setting("signin_window_seconds", _positive_int, "Length of the sign-in rate-limit window."),
    Setting("signups_per_address", _positive_int, "New accounts allowed per client address "
            "per hour (a library or citizens' service desk shares one address)."),
    Setting("writes_per_minute", _positive_int, "Write requests (posts, votes, comments) "
            "allowed per person per minute."),
    Setting("signal_accounts", _several, "A burst for the moderators: this many accounts "
            "made within `IDEABOX_SIGNAL_WINDOW_MINUTES` of each other that voted for the "
            "same idea."),
    Setting("signal_window_minutes", _positive_int, "The window of "
            "`IDEABOX_SIGNAL_ACCOUNTS`."),
    Setting("signal_address_accounts", _several, "A burst for the moderators: this many "
            "accounts made from one client address (an IPv6 address by its /64) that voted "
            "for the same idea."),
    Setting("session_days", _positive_int, "Days a browser session lasts without use."),
    Setting("api_token_days", _positive_int, "Days an API token lasts without use."),
    Setting("shutdown_seconds", _positive_int, "Seconds `ideabox serve` gives a worker to "
            "finish its requests at Ctrl-C or SIGTERM before it kills it."),
    Setting("background_tasks", _bool, "Check the vote cache, and stand for the lead of "
            "the shared background work (the monthly promotion, the reminders, webhook "
            "delivery, cache rebuilds), which one worker of all instances runs. Off: this "
            "instance never leads, and never believes Redis."),
    Setting("reconcile_interval", _positive_float, "Seconds between cache health checks."),
    Setting("leader_check_seconds", _positive_float, "Seconds between a worker's attempts "
            "to take the lead of the shared background work, and between the leader's "
            "checks that it still holds it: a dead leader is replaced within about this."),
    Setting("metrics_allow", _networks, "Comma-separated addresses or networks (CIDR) of "
            "clients allowed to read `/metrics`; others get 404."),
    Setting("promotion_delay_minutes", _positive_int,
            "Minutes after a month ends (in the purpose's time zone) before it is promoted."),
    Setting("smtp_host", str, "SMTP server for e-mail notifications. Unset: no e-mail is sent."),
    Setting("smtp_port", _positive_int, "SMTP port."),
    Setting("smtp_user", str, "SMTP user name, if the server needs one."),
    Setting("smtp_password", str, "SMTP password."),
    Setting("smtp_from", str, "Sender of notification e-mails."),
    Setting("smtp_starttls", _bool, "Use STARTTLS with the SMTP server."),
    Setting("accessibility_url", _url("http", "https"),
            "Where the footer link \"Tilgængelighedserklæring\" points."),
    Setting("default_language", _choice("da", "en"),
            "Language when the browser asks for neither Danish nor English."),
    Setting("oidc_providers", parse_providers, "The OpenID Connect providers people sign "
            "in with, as a JSON array (see \"Signing in with OpenID Connect\"). Unset: "
            "e-mail and password only.", secret=True),
    Setting("oidc_timeout", _positive_float, "Seconds to wait for an OpenID provider "
            "(each discovery, key, token and userinfo request) before the sign-in is "
            "given up with an error page."),
    Setting("webhook_timeout", _positive_float, "Seconds a webhook receiver has to answer "
            "a delivery before the attempt counts as failed."),
    Setting("webhook_retry_seconds", _positive_float, "Seconds before a failed webhook "
            "delivery is tried again; the wait doubles with each failure (up to an hour, "
            "with up to 10 % jitter)."),
    Setting("webhook_give_up_hours", _positive_int, "Hours after its event (or after "
            "\"Send again\") that a webhook delivery is retried before it is marked failed."),
    Setting("webhook_poll_seconds", _positive_float, "Seconds between looks for due webhook "
            "deliveries; a new event wakes the workers at once (LISTEN/NOTIFY)."),
    Setting("webhook_allow_private_addresses", _bool, "Allow webhook endpoints at loopback "
            "and private addresses, and over plain http:// there (a case system inside "
            "the municipality's network, tests). Off: https:// to public addresses only."),
    Setting("now", _instant, "An ISO 8601 instant (`2026-11-30T23:55:00+01:00`) at which "
            "each ideabox process starts its clock, which then runs on. Unset: the "
            "system clock. For rehearsals and tests, never in production."),
)


# Variables whose meaning changed under a new name. Set under the old name, the value
# would be ignored without a word, so the service refuses to start and says what to set.
RENAMED = {
    PREFIX + "SIGNIN_ATTEMPTS_PER_EMAIL": "failed sign-ins are limited per e-mail and client "
    "address (IDEABOX_SIGNIN_FAILURES_PER_EMAIL_AND_ADDRESS) and per e-mail address alone "
    "(IDEABOX_SIGNIN_FAILURES_PER_EMAIL)",
    PREFIX + "SIGNIN_ATTEMPTS_PER_ADDRESS": "failed sign-ins per client address are limited "
    "by IDEABOX_SIGNIN_FAILURES_PER_ADDRESS",
}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read every ``IDEABOX_*`` variable once; a bad value raises ``SettingsError`` naming it."""
    env = os.environ if environ is None else environ
    for old, instead in RENAMED.items():
        if env.get(old, "").strip():
            raise SettingsError(f"{old} is no longer read: {instead}")
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.env)
        if raw is None or raw.strip() == "":
            continue
        try:
            values[setting.field] = setting.parse(raw)
        except ValueError as exc:
            shown = setting.env if setting.secret else f"{setting.env}={raw!r}"
            raise SettingsError(f"{shown}: {exc}") from None
    values.update(overrides)
    return Settings(**values)


def resolve_secret_key(settings: Settings) -> Settings:
    """Give the settings a secret key: the configured one, or one kept in the data dir.

    A generated key is only acceptable for a self-contained (embedded) installation;
    replicas sharing an external database must share a key they were given.
    """
    if settings.secret_key:
        if len(settings.secret_key) < 32:
            raise SettingsError("IDEABOX_SECRET_KEY must be at least 32 characters")
        return settings
    if not settings.embedded_postgres:
        raise SettingsError(
            "IDEABOX_SECRET_KEY must be set when IDEABOX_DATABASE_URL is set "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    path = settings.data_dir / "secret_key"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole under a temporary name, then linked into place: two processes
        # starting together end up with one key, and nobody reads a half-written file.
        tmp = settings.data_dir / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise SettingsError(f"{path} holds no usable key; delete it to have a new one made")
    return msgspec.structs.replace(settings, secret_key=key)
