"""Opaque secrets for sessions and API tokens: only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

# Lets secret scanners recognise a leaked ideabox token (a prefix, not a secret).
TOKEN_PREFIX = "ibx_"  # noqa: S105
SESSION_COOKIE = "ideabox_session"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
