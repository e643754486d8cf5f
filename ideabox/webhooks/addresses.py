"""Where webhooks may be sent. A case system is reached over https:// at a public
address; a loopback or private address (and plain http://) only when
IDEABOX_WEBHOOK_ALLOW_PRIVATE_ADDRESSES says so. Otherwise an administrator's URL could
make ideabox post into the municipality's own network (server-side request forgery).

The URL is checked when it is registered (its form, and a literal address) and the
host's addresses again before every delivery (a name can come to point elsewhere)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from ideabox.platform.errors import Invalid

FIELD = "url"


class AddressRefused(Exception):
    """The receiver's host resolves to an address deliveries may not go to."""


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _local_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def checked_url(url: str, *, allow_private: bool) -> str:
    """``url`` if deliveries may go there; else 400 naming ``url`` and why."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise Invalid(FIELD, "webhook_url_form") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in text):
        raise Invalid(FIELD, "webhook_url_form")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise Invalid(FIELD, "webhook_url_credentials")
    if port == 0:
        raise Invalid(FIELD, "webhook_url_form")
    if allow_private:
        return text
    if parts.scheme != "https":
        raise Invalid(FIELD, "webhook_url_https")
    literal = _literal(host)
    if _local_name(host) or (literal is not None and not literal.is_global):
        raise Invalid(FIELD, "webhook_url_private")
    return text


async def ensure_public(url: str) -> None:
    """Raise AddressRefused unless every address the URL's host has is public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise AddressRefused(f"cannot resolve {host}: {exc}") from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in found]
    refused = [str(a) for a in addresses if not a.is_global]
    if refused or not addresses:
        raise AddressRefused(f"{host} resolves to an address that is not public "
                             f"({', '.join(refused) or 'none'})")
