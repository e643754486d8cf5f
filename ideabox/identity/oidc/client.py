"""Talking to OpenID providers over HTTP: their discovery documents and signing keys
(cached per worker), the token exchange and the userinfo endpoint.

Every request has a timeout (``IDEABOX_OIDC_TIMEOUT``). Whatever goes wrong becomes an
error the sign-in pages can show: the provider did not answer in time (504), could not
be reached or failed (502), or answered something ideabox cannot use (502). What exactly
went wrong is logged, never shown: it is for the municipality, not the person signing in.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

import httpx
import msgspec
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ideabox.platform.errors import BadGateway, GatewayTimeout, IdeaboxError
from ideabox.platform.oidc import OidcProvider, url_problem

log = logging.getLogger(__name__)

# A provider's endpoints and keys change seldom, and a change of keys announces itself
# (an ID token signed with a key we do not know: the keys are fetched again at once).
CACHE_SECONDS = 3600.0
# A token naming an unknown key makes us fetch the keys again, but not more often than
# this: a stream of forged tokens must not become a stream of requests to the provider.
KEYS_REFETCH_SECONDS = 30.0


class Discovery(msgspec.Struct, frozen=True):
    """What ideabox uses of a provider's discovery document (OpenID Connect Discovery 1.0)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    end_session_endpoint: str | None = None
    # Both defaults are the specification's, for a document that leaves them out.
    token_endpoint_auth_methods_supported: list[str] = msgspec.field(
        default_factory=lambda: ["client_secret_basic"])
    id_token_signing_alg_values_supported: list[str] = msgspec.field(
        default_factory=lambda: ["RS256"])


class Tokens(msgspec.Struct, frozen=True):
    """A successful answer of the token endpoint."""

    id_token: str
    access_token: str | None = None


class _TokenError(msgspec.Struct, frozen=True):
    error: str = ""


@dataclass
class _Cached:
    discovery: Discovery | None = None
    discovered_at: float = 0.0
    keys: KeySet | None = None
    keys_at: float = 0.0
    keys_forced_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def invalid(provider: OidcProvider, why: str, *args: Any) -> BadGateway:
    """The error for an answer of ``provider`` ideabox cannot use; ``why`` is logged."""
    log.warning("OpenID provider %s: " + why, provider.name, *args)
    return BadGateway("oidc_invalid_response", provider=provider.label)


class OidcClient:
    """The providers' documents and keys, cached, and the HTTP client that fetches them.
    One per worker (``Services.oidc``)."""

    def __init__(self, providers: tuple[OidcProvider, ...], timeout: float) -> None:
        self.providers = {provider.name: provider for provider in providers}
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None
        self._cache = {name: _Cached() for name in self.providers}

    def provider(self, name: str) -> OidcProvider | None:
        return self.providers.get(name)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    def _client(self) -> httpx.AsyncClient:
        # Made on first use, inside the event loop that will use it.
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False,
                                           headers={"User-Agent": "ideabox"})
        return self._http

    async def _send(self, provider: OidcProvider, what: str, request: httpx.Request,
                    auth: httpx.Auth | None = None) -> httpx.Response:
        try:
            return await self._client().send(request, auth=auth)
        except httpx.TimeoutException:
            log.warning("OpenID provider %s: no answer to the %s request within %s s",
                        provider.name, what, self._timeout)
            raise GatewayTimeout("oidc_timeout", provider=provider.label) from None
        except httpx.HTTPError as exc:
            log.warning("OpenID provider %s: the %s request failed: %r", provider.name, what,
                        exc)
            raise BadGateway("oidc_unreachable", provider=provider.label) from None

    async def _get_json(self, provider: OidcProvider, what: str, url: str) -> Any:
        response = await self._send(provider, what, self._client().build_request(
            "GET", url, headers={"Accept": "application/json"}))
        if response.status_code != 200:
            log.warning("OpenID provider %s: the %s request answered %s", provider.name,
                        what, response.status_code)
            raise BadGateway("oidc_unreachable", provider=provider.label)
        try:
            return msgspec.json.decode(response.content)
        except msgspec.DecodeError:
            raise invalid(provider, "the %s is not JSON", what) from None

    async def discover(self, provider: OidcProvider) -> Discovery:
        """The provider's discovery document, fetched at most once an hour."""
        cached = self._cache[provider.name]
        async with cached.lock:
            fresh = time.monotonic() - cached.discovered_at < CACHE_SECONDS
            if cached.discovery is not None and fresh:
                return cached.discovery
            data = await self._get_json(provider, "discovery document", provider.discovery_url)
            try:
                found = msgspec.convert(data, Discovery)
            except msgspec.ValidationError as exc:
                raise invalid(provider, "the discovery document: %s", exc) from None
            # OpenID Connect Discovery 1.0, 4.3: the document must be the issuer's own.
            if found.issuer != provider.issuer:
                raise invalid(provider, "the discovery document names the issuer %r",
                              found.issuer)
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri",
                         "userinfo_endpoint", "end_session_endpoint"):
                url = getattr(found, name)
                problem = url and url_problem(url)
                if problem:
                    raise invalid(provider, "the discovery document's %s %s", name, problem)
            cached.discovery, cached.discovered_at = found, time.monotonic()
            return found

    async def keys(self, provider: OidcProvider, *, again: bool = False) -> KeySet:
        """The provider's signing keys (its JWKS), fetched at most once an hour; ``again``
        when a token names a key not among them (the provider rolled its keys), which
        fetches them at once unless that was done moments ago."""
        discovery = await self.discover(provider)
        cached = self._cache[provider.name]
        async with cached.lock:
            now = time.monotonic()
            if again and now - cached.keys_forced_at >= KEYS_REFETCH_SECONDS:
                cached.keys_forced_at, cached.keys = now, None
            if cached.keys is not None and now - cached.keys_at < CACHE_SECONDS:
                return cached.keys
            data = await self._get_json(provider, "key set", discovery.jwks_uri)
            try:
                keys = KeySet.import_key_set(data)
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise invalid(provider, "the key set cannot be read: %r", exc) from None
            cached.keys, cached.keys_at = keys, time.monotonic()
            return keys

    async def exchange_code(self, provider: OidcProvider, code: str, *, redirect_uri: str,
                            code_verifier: str) -> Tokens:
        """Trade an authorization code for the tokens, authenticating ideabox as the
        discovery document says the provider wants it."""
        discovery = await self.discover(provider)
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": redirect_uri, "code_verifier": code_verifier}
        methods = discovery.token_endpoint_auth_methods_supported
        auth: httpx.Auth | None = None
        # The secret in the body where the provider takes it there: in a Basic header it
        # must be form-encoded first (RFC 6749, 2.3.1), which not every provider undoes.
        if "client_secret_post" in methods:
            form |= {"client_id": provider.client_id, "client_secret": provider.client_secret}
        elif "client_secret_basic" in methods:
            auth = httpx.BasicAuth(quote_plus(provider.client_id),
                                   quote_plus(provider.client_secret))
        else:
            raise invalid(provider, "the token endpoint takes neither client_secret_post nor "
                          "client_secret_basic but %s", methods)
        request = self._client().build_request(
            "POST", discovery.token_endpoint, data=form,
            headers={"Accept": "application/json"})
        response = await self._send(provider, "token", request, auth)
        if response.status_code == 200:
            try:
                return msgspec.json.decode(response.content, type=Tokens)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                raise invalid(provider, "the token answer: %s", exc) from None
        error = _token_error(response)
        log.warning("OpenID provider %s: the token request answered %s %s", provider.name,
                    response.status_code, error)
        if error == "invalid_grant":
            # The code was used already, has expired, or was made for another client:
            # the person's sign-in, not ideabox's configuration, is at fault.
            raise IdeaboxError("oidc_code_refused", provider=provider.label)
        if response.status_code >= 500 or not error:
            raise BadGateway("oidc_unreachable", provider=provider.label)
        raise BadGateway("oidc_provider_error", provider=provider.label, error=error)

    async def userinfo(self, provider: OidcProvider, access_token: str) -> dict[str, Any]:
        """The claims of the provider's userinfo endpoint (none if it has none)."""
        discovery = await self.discover(provider)
        if not discovery.userinfo_endpoint:
            return {}
        request = self._client().build_request(
            "GET", discovery.userinfo_endpoint,
            headers={"Accept": "application/json", "Authorization": f"Bearer {access_token}"})
        response = await self._send(provider, "userinfo", request)
        if response.status_code != 200:
            log.warning("OpenID provider %s: the userinfo request answered %s",
                        provider.name, response.status_code)
            raise BadGateway("oidc_unreachable", provider=provider.label)
        if not response.headers.get("content-type", "").startswith("application/json"):
            # A signed or encrypted userinfo answer is not read: the ID token's claims
            # stand alone, and a claim only the userinfo holds counts as missing.
            log.warning("OpenID provider %s: the userinfo answer is %s, not JSON; not read",
                        provider.name, response.headers.get("content-type"))
            return {}
        try:
            claims = msgspec.json.decode(response.content)
        except msgspec.DecodeError:
            raise invalid(provider, "the userinfo answer is not JSON") from None
        if not isinstance(claims, dict):
            raise invalid(provider, "the userinfo answer is not a JSON object")
        return claims


_ERROR_CODE = re.compile(r"[A-Za-z0-9_.-]{1,60}")


def error_code(value: str | None) -> str:
    """An OAuth error code (RFC 6749, 4.1.2.1 and 5.2) as it may be shown and logged: the
    code, if it looks like one; else "unknown_error"."""
    return value if value and _ERROR_CODE.fullmatch(value) else "unknown_error"


def _token_error(response: httpx.Response) -> str:
    """The error code of a refused token request; empty if the answer has none."""
    try:
        error = msgspec.json.decode(response.content, type=_TokenError).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ""
    return error_code(error) if error else ""
