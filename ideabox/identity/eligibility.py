"""Who may take part in a purpose, and whose votes a promotion counts: one rule, said
once for a request (``ensure_eligible``) and once for SQL over many votes
(``eligible_voter``).

A person is eligible for a purpose when they are a verified person (their e-mail
confirmed, an OpenID provider's sign-in, or registration by staff in person), their
account is not deleted, and, for a purpose that asks for it, a provider said last that
they live in the municipality. The promotion asks the same of each vote's person at the
month's end, and leaves out the votes a moderator held pending review when it runs.
"""

from __future__ import annotations

from typing import Literal

from ideabox.platform.errors import Forbidden

Eligibility = Literal["verified_email", "verified_residency"]
ELIGIBILITIES: tuple[Eligibility, ...] = ("verified_email", "verified_residency")


def eligibilities_of(*, verified: bool, resident: bool) -> list[str]:
    """The purposes' eligibility rules a person meets (for SQL: ``eligibility = ANY($n)``)."""
    if not verified:
        return []
    return ["verified_email", "verified_residency"] if resident else ["verified_email"]


def missing(*, verified: bool, resident: bool, eligibility: str,
            assisted: bool = False) -> str | None:
    """What the person lacks to meet ``eligibility``, as the code of the refusal that
    says what to do; None if nothing. ``assisted``: staff act for the person, who cannot
    sign in to prove residency."""
    if not verified:
        return "verify_email_first"
    if eligibility == "verified_residency" and not resident:
        return "assisted_residency_needed" if assisted else "residency_needed"
    return None


def ensure_eligible(*, verified: bool, resident: bool, eligibility: str,
                    assisted: bool = False) -> None:
    """Raise Forbidden, saying what to do, unless the person meets ``eligibility``."""
    lacking = missing(verified=verified, resident=resident, eligibility=eligibility,
                      assisted=assisted)
    if lacking is not None:
        raise Forbidden(lacking)


def eligible_voter(user: str, *, at: str, rule: str, run: str) -> str:
    """A SQL condition, never NULL: the person ``user`` (a users row's alias) was eligible
    at ``at`` under the purpose rule ``rule`` and had no votes held at ``run`` (SQL
    expressions, usually ``$n`` parameters; ``rule`` NULL means a run from before
    eligibility, when every account counted).

    Its cost is per person it is asked of: the residency check is one probe of its index
    (only in a purpose that asks for residency; a set of every resident, hashed once,
    would be faster until it outgrew memory, and PostgreSQL would then read all the
    checks again for each person), and the holds, a short list moderators write by hand,
    are read once per statement. Over many votes, ask it once per person, not per vote
    (see the promotion's ranking)."""
    return f"""coalesce({rule} IS NULL OR (
        {user}.verified_at <= {at}
        AND ({user}.deleted_at IS NULL OR {user}.deleted_at > {at})
        AND ({rule} <> 'verified_residency' OR coalesce((
            SELECT rc.resident FROM residency_checks rc
            WHERE rc.user_id = {user}.id AND rc.checked_at <= {at}
            ORDER BY rc.checked_at DESC, rc.id DESC LIMIT 1), false))
        AND {user}.id NOT IN (
            SELECT h.user_id FROM vote_holds h
            WHERE h.held_at <= {run} AND (h.released_at IS NULL OR h.released_at > {run}))
    ), false)"""  # noqa: S608 - aliases and $n


def resident_now(user: str) -> str:
    """A SQL expression: whether the person ``user`` (a users row's alias) is a verified
    resident, as the latest residency check says."""
    return f"""coalesce((
        SELECT rc.resident FROM residency_checks rc WHERE rc.user_id = {user}.id
        ORDER BY rc.checked_at DESC, rc.id DESC LIMIT 1), false)"""  # noqa: S608 - an alias


def person_columns(user: str) -> str:
    """The columns a ``Viewer`` is made from besides id, name and role (``viewer_of``)."""
    return f"{user}.verified_at IS NOT NULL AS verified, {resident_now(user)} AS resident"
