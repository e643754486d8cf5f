"""Password hashing with argon2id, off the event loop.

Hashing is deliberately slow and memory-hard; it runs in a worker thread so that a
sign-in never stalls the other requests this worker is serving.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

log = logging.getLogger(__name__)

MIN_LENGTH = 10
# Long enough for any passphrase or password manager; short enough that nobody can make
# us hash megabytes.
MAX_LENGTH = 1024

# OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane) rather than argon2-cffi's
# 64 MiB default: the same resistance per unit of memory, and a burst of sign-ins across
# all worker threads stays within a few hundred MiB. Raising these later is safe: stored
# hashes are upgraded at each person's next sign-in (see ``needs_rehash``).
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1,
                        hash_len=32, salt_len=16, type=Type.ID)

# Stored for a deleted account: no argon2 hash, so no password can ever match it.
UNUSABLE = "!unusable"


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, computed in a worker thread."""
    return await asyncio.to_thread(HASHER.hash, password)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except VerificationError:  # includes a plain mismatch
        return False
    except InvalidHashError:
        # A hash we did not make (or an unusable one): no password matches it, but pay
        # the same price as a real check so the answer's timing says nothing.
        if stored != UNUSABLE:
            log.warning("a stored password hash is not a valid argon2 hash")
        _verify_dummy(password)
        return False


def _verify_dummy(password: str) -> None:
    try:
        HASHER.verify(_dummy_hash(), password)
    except VerificationError:
        return


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash("ideabox dummy password, never anybody's")


async def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash; checked in a worker thread."""
    return await asyncio.to_thread(_verify, stored, password)


async def verify_nobody(password: str) -> None:
    """Spend exactly what ``verify_password`` spends, for an e-mail nobody has: the
    answer to a sign-in must not reveal whether the address is registered."""
    await asyncio.to_thread(_verify_dummy, password)


def needs_rehash(stored: str) -> bool:
    """Whether a (verified) hash was made with other parameters than today's."""
    return HASHER.check_needs_rehash(stored)
