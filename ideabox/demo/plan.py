"""The demo's plan: who exists, who posts which idea when, who votes, comments and
follows, and when. Pure and seeded: the same seed and the same ``now`` give the same
plan. Nothing here touches the database; ``seed`` carries the plan out.

People are numbered: 0 the administrator, 1 and 2 the accounts printed for trying the
demo (a resident, a member of staff), 3 the moderator, then staff, then residents.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ideabox.accounts.schemas import Role
from ideabox.demo import town
from ideabox.demo.content import AUTHOR_REPLIES, PURPOSES, REPLIES
from ideabox.demo.model import IdeaText, PurposeText
from ideabox.platform.months import current_month, month_bounds, previous_month
from ideabox.purposes.service import PARTICIPANTS

TIMEZONE = "Europe/Copenhagen"
ZONE = ZoneInfo(TIMEZONE)
ADMIN, TRY_RESIDENT, TRY_STAFF, MODERATOR = 0, 1, 2, 3
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    role: Role
    joined: datetime


@dataclass(frozen=True)
class PlannedIdea:
    purpose: PurposeText
    text: IdeaText
    author: int
    posted: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class PlannedComment:
    idea: int
    author: int
    at: datetime
    text: str
    parent: int | None  # index of the comment replied to, always an earlier one


@dataclass(frozen=True)
class PlannedAct:
    """A vote or a follow: ``person`` on ``idea`` at ``at``."""

    idea: int
    person: int
    at: datetime


@dataclass
class Plan:
    now: datetime
    months: tuple[date, date, date]  # the month before last, last month, this month
    start: datetime  # when the month before last began: the demo's first day
    people: list[Person]
    ideas: list[PlannedIdea] = field(default_factory=list)
    comments: list[PlannedComment] = field(default_factory=list)
    votes: list[PlannedAct] = field(default_factory=list)
    follows: list[PlannedAct] = field(default_factory=list)

    def promotion_time(self, month: date) -> datetime:
        """When the schedule would have promoted ``month``: five minutes after it ended."""
        end = month_bounds(month, TIMEZONE)[1]
        return max(end, min(end + 5 * MINUTE, self.now - MINUTE))


def make_plan(seed: int, residents: int, now: datetime) -> Plan:
    """The whole demo, decided by ``seed``, for a town of ``residents`` residents."""
    rng = random.Random(seed)
    this = current_month(TIMEZONE, now)
    last = previous_month(this)
    before = previous_month(last)
    start = month_bounds(before, TIMEZONE)[0]
    plan = Plan(now=now, months=(before, last, this), start=start,
                people=_people(rng, residents, start))
    for purpose in PURPOSES:
        participants = _participants(plan.people, purpose)
        for text in purpose.ideas:
            index = len(plan.ideas)
            idea = _idea(rng, plan, purpose, text, participants)
            plan.ideas.append(idea)
            voters = _votes(rng, plan, index, participants)
            _comments(rng, plan, index, participants)
            _follows(rng, plan, index, voters)
    plan.votes.sort(key=lambda v: v.at)
    plan.follows.sort(key=lambda f: f.at)
    return plan


def _people(rng: random.Random, residents: int, start: datetime) -> list[Person]:
    taken = {town.ADMIN_NAME, town.TRY_RESIDENT[0], town.TRY_STAFF[0], town.MODERATOR[0]}

    def joined() -> datetime:
        return start - timedelta(days=rng.uniform(3, 700))

    people = [
        Person(town.ADMIN_NAME, town.ADMIN_EMAIL, "admin", joined()),
        Person(*town.TRY_RESIDENT, "resident", joined()),
        Person(*town.TRY_STAFF, "staff", joined()),
        Person(*town.MODERATOR, "moderator", joined()),
    ]
    # Staff are about one in eight of those who take part: enough for the staff's own
    # purpose to have a lively vote.
    staff = max(6, residents // 7)
    emails = {p.email for p in people}

    def unique(email: str) -> str:
        # Two names can be spelt alike in an address ("Søren", "Soeren"): number the second.
        n, found = 2, email
        while found in emails:
            found, n = email.replace("@", f"{n}@", 1), n + 1
        emails.add(found)
        return found

    for name in town.person_names(rng, staff, taken):
        email = unique(town.email_for(name, town.STAFF_DOMAIN))
        people.append(Person(name, email, "staff", joined()))
    for name in town.person_names(rng, residents, taken):
        email = unique(town.email_for(name, town.RESIDENT_DOMAIN))
        people.append(Person(name, email, "resident", joined()))
    return people


def _participants(people: list[Person], purpose: PurposeText) -> list[int]:
    """Who takes part in a purpose: its audience, but never the administration's own
    account, which only answers."""
    allowed = PARTICIPANTS[purpose.audience]
    return [i for i, p in enumerate(people) if i != ADMIN and p.role in allowed]


def _posting_window(plan: Plan, month_offset: int) -> tuple[datetime, datetime]:
    month = plan.months[2 + month_offset]
    begin, end = month_bounds(month, TIMEZONE)
    low, high = begin + 8 * HOUR, min(end, plan.now) - 6 * HOUR
    if high - low < 2 * DAY:  # early in this month: the newest ideas came in lately
        low, high = plan.now - 6 * DAY, plan.now - 3 * HOUR
    return low, high


def _daytime(rng: random.Random, moment: datetime, low: datetime, high: datetime) -> datetime:
    """``moment`` moved to a waking hour of its day, unless that leaves [low, high]."""
    local = moment.astimezone(ZONE)
    moved = local.replace(hour=rng.randint(7, 22), minute=rng.randint(0, 59))
    return moved if low <= moved <= high else moment


def _idea(rng: random.Random, plan: Plan, purpose: PurposeText, text: IdeaText,
          participants: list[int]) -> PlannedIdea:
    low, high = _posting_window(plan, text.month)
    # The most popular ideas came early in their month: that is how they gathered it.
    reach = 0.35 if text.appeal >= 6 else 1.0
    posted = low + (high - low) * rng.uniform(0, reach)
    posted = _daytime(rng, posted, low, high)
    if text.author == "resident":
        author = TRY_RESIDENT
    elif text.author == "staff":
        author = TRY_STAFF
    else:
        author = rng.choice([p for p in participants if p not in (TRY_RESIDENT, TRY_STAFF)])
    withdrawn_at = None
    if text.withdrawn:
        withdrawn_at = min(posted + rng.uniform(1, 4) * DAY, plan.now - HOUR)
    return PlannedIdea(purpose, text, author, posted, withdrawn_at)


def _limit(plan: Plan, idea: PlannedIdea) -> datetime:
    """Nothing happens to an idea after this: now, or when it was withdrawn."""
    return (idea.withdrawn_at or plan.now) - 5 * MINUTE


def _later(rng: random.Random, after: datetime, mean: timedelta, limit: datetime) -> datetime:
    """A moment after ``after``, usually soon (exponentially), never past ``limit``."""
    moment = after + mean * rng.expovariate(1.0)
    if moment >= limit:
        moment = after + (limit - after) * rng.random()
    return moment


def _votes(rng: random.Random, plan: Plan, index: int, participants: list[int]) -> list[int]:
    idea = plan.ideas[index]
    limit = _limit(plan, idea)
    # An idea that has been around a short while has not been seen by everyone yet.
    days_seen = max((limit - idea.posted) / DAY, 0.1)
    exposure = min(1.0, max(0.3, math.sqrt(days_seen / 30)))
    share = min(0.8, idea.text.appeal / 10 * 0.6 * rng.uniform(0.85, 1.15) * exposure)
    others = [p for p in participants if p != idea.author]
    voters = rng.sample(others, max(1, round(len(others) * share)))
    # The people who try the demo find that they have voted for the popular ideas.
    for keen in (TRY_RESIDENT, TRY_STAFF):
        if keen in others and keen not in voters and idea.text.appeal >= 7:
            voters.append(keen)
    if rng.random() < 0.8:  # most authors vote for their own idea, straight away
        plan.votes.append(PlannedAct(index, idea.author, idea.posted + rng.randint(1, 9) * MINUTE))
    for voter in voters:
        # Most votes come in the first weeks; some people find an idea only much later.
        if rng.random() < 0.15:
            at = idea.posted + (limit - idea.posted) * rng.random()
        else:
            at = _later(rng, idea.posted, 7 * DAY, limit)
        plan.votes.append(PlannedAct(index, voter, at))
    return voters


def _comments(rng: random.Random, plan: Plan, index: int, participants: list[int]) -> None:
    idea = plan.ideas[index]
    limit = _limit(plan, idea)
    staff = [p for p in participants if plan.people[p].role != "resident"] or participants

    def someone(pool: list[int], besides: int) -> int:
        return rng.choice([p for p in pool if p not in (besides, idea.author)] or pool)

    def add(author: int, text: str, after: datetime, mean: timedelta,
            parent: int | None) -> int | None:
        if after >= limit:
            return None
        at = _later(rng, after + 10 * MINUTE, mean, limit)
        plan.comments.append(PlannedComment(index, author, at, text, parent))
        return len(plan.comments) - 1

    for thread in idea.text.threads:
        author = someone(staff if thread.by_staff else participants, idea.author)
        top = add(author, thread.text, idea.posted, 4 * DAY, None)
        if top is None:
            continue
        for reply in thread.replies:
            replier = idea.author if reply.by_author else someone(participants, author)
            add(replier, reply.text, plan.comments[top].at, 0.7 * DAY, top)
    wanted = min(6, int(idea.text.appeal * 0.5 * rng.uniform(0.4, 1.3))) - len(idea.text.threads)
    texts = rng.sample(idea.purpose.comments, max(0, min(wanted, len(idea.purpose.comments))))
    for text in texts:
        author = someone(participants, idea.author)
        top = add(author, text, idea.posted, 5 * DAY, None)
        if top is None or rng.random() > 0.3:
            continue
        if rng.random() < 0.5:
            add(idea.author, rng.choice(AUTHOR_REPLIES), plan.comments[top].at, 0.5 * DAY, top)
        else:
            add(someone(participants, author), rng.choice(REPLIES), plan.comments[top].at,
                DAY, top)


def _follows(rng: random.Random, plan: Plan, index: int, voters: list[int]) -> None:
    """A few voters follow the idea when they vote for it; the demo resident follows
    the popular ideas she voted for, so that her page has something to show."""
    cast = {v.person: v.at for v in plan.votes if v.idea == index}
    followers = {p for p in voters if rng.random() < 0.04}
    followers |= {p for p in (TRY_RESIDENT,) if p in cast and plan.ideas[index].text.appeal >= 8}
    for person in sorted(followers):
        plan.follows.append(PlannedAct(index, person, cast[person] + MINUTE))
