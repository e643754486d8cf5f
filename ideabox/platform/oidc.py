"""The OpenID Connect providers a municipality configures (``IDEABOX_OIDC_PROVIDERS``),
read and checked once at start like every other setting.

Only the configuration lives here, beside the other settings; signing in through a
provider is ``ideabox.identity.oidc``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

import msgspec

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_NAME = re.compile(NAME_PATTERN)
_LABEL_MAX = 60


class OidcProvider(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One OpenID provider: where it is, how ideabox is registered with it, and what its
    sign-ins say about a person."""

    # Part of addresses (/signin/oidc/<name>) and of the identities on record: renaming
    # a provider makes its people new to ideabox.
    name: str
    # What the sign-in button says: "Log ind med <label>".
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    # Everyone this provider signs in works for the municipality (Entra ID for employees).
    role: Literal["staff"] | None = None
    # A claim whose value says where the person lives (a municipality code from the
    # broker's CPR lookup), and the values that make them a resident.
    residence_claim: str | None = None
    residence_values: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # Settings may be printed while debugging; the client secret must not be.
        return f"OidcProvider(name={self.name!r}, issuer={self.issuer!r})"

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as an address of a provider (its issuer, or an endpoint
    its discovery document names), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an https:// URL"
    if parts.fragment:
        return "must have no fragment"
    if parts.scheme == "http" and not _loopback(parts.hostname):
        # Sign-ins, codes and the client secret would cross the network in clear text.
        return "must start with https:// (http:// is accepted only on a loopback address)"
    return None


def _issuer_problem(issuer: str) -> str | None:
    if urlsplit(issuer).query:
        return "must have no query (the issuer exactly as the provider states it)"
    return url_problem(issuer)


def _problems(provider: OidcProvider) -> list[str]:
    problems = []
    if not _NAME.match(provider.name):
        problems.append(f"name {provider.name!r} must match {NAME_PATTERN} (lower-case "
                        "letters, digits, - and _, at most 40)")
    if not provider.label.strip() or len(provider.label) > _LABEL_MAX:
        problems.append(f"label must be 1 to {_LABEL_MAX} characters")
    elif re.search(r"[\x00-\x1f\x7f-\x9f]", provider.label):
        problems.append("label must not contain control characters")
    issuer = _issuer_problem(provider.issuer)
    if issuer:
        problems.append(f"issuer {issuer}")
    if not provider.client_id.strip():
        problems.append("client_id must not be blank")
    if not provider.client_secret.strip():
        problems.append("client_secret must not be blank")
    if "openid" not in provider.scopes.split():
        problems.append("scopes must include openid")
    if provider.residence_claim is not None and not provider.residence_claim.strip():
        problems.append("residence_claim must not be blank")
    if provider.residence_claim and not provider.residence_values:
        problems.append("residence_values must list the values that make a resident "
                        "(e.g. [\"751\"]) when residence_claim is set")
    if provider.residence_values and not provider.residence_claim:
        problems.append("residence_values needs residence_claim (the claim to compare)")
    return problems


def parse_providers(raw: str) -> tuple[OidcProvider, ...]:
    """The providers of ``IDEABOX_OIDC_PROVIDERS`` (a JSON array); a ValueError says what
    is wrong, naming the provider and the field."""
    try:
        providers = msgspec.json.decode(raw.strip(), type=tuple[OidcProvider, ...])
    except msgspec.ValidationError as exc:
        raise ValueError(f"not a list of providers as the README shows: {exc} "
                         "($[0] is the first provider)") from None
    except msgspec.DecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    seen: set[str] = set()
    for number, provider in enumerate(providers):
        problems = _problems(provider)
        if provider.name in seen:
            problems.append(f"name {provider.name!r} is used twice")
        seen.add(provider.name)
        if problems:
            raise ValueError(f"provider $[{number}] ({provider.name!r}): "
                             + "; ".join(problems))
    return providers
