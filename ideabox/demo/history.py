"""Three months played in order: votes and follows as they came, the two monthly
promotions when the schedule would have run them, the administration's answers and a
withdrawal — each through its service, at its moment.

Order matters because the services look at the database as it is: a promotion ranks the
votes cast so far, and an answer notifies those who voted or followed before it. So the
votes and follows up to each event are written before the event happens. Votes on an
idea that has been decided (implemented, declined) or withdrawn are dropped from then on,
as the vote service would refuse them.

Every act happens at its moment: the transaction's ``now`` (``Db.now``, what the services
stamp their rows with) is moved to it first, as the clock would have been. Votes are
bulk-inserted (``copy_records_to_table``) rather than cast one by one through
``votes.service.cast_vote``, which commits and updates Redis per vote: thousands of
round trips. The rows are the ones it would write; the cache is rebuilt from them
afterwards.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from ideabox.accounts.schemas import Viewer
from ideabox.demo.content import FALLBACK, PURPOSES
from ideabox.demo.model import Response
from ideabox.demo.plan import ADMIN, DAY, HOUR, Plan, PlannedAct
from ideabox.ideas.service import withdraw_idea
from ideabox.notifications.service import follow_idea
from ideabox.platform.db import Db
from ideabox.promotion.service import promote_month
from ideabox.responses.schemas import ResponseCreate
from ideabox.responses.service import respond_to_idea
from ideabox.services import Services
from ideabox.votes.counts import recount

FINAL = ("implemented", "rejected")


@dataclass(order=True)
class _Event:
    at: datetime
    order: int
    kind: str = field(compare=False)  # promote | answer | withdraw
    month: date | None = field(default=None, compare=False)
    idea: int = field(default=-1, compare=False)  # the plan's index
    answer: Response | None = field(default=None, compare=False)


@dataclass
class Outcome:
    promoted: int = 0
    answered: int = 0


class History:
    def __init__(self, db: Db, services: Services, plan: Plan,
                 viewers: Sequence[Viewer], idea_ids: Sequence[int], rng: random.Random,
                 advance: Callable[[int, int], None]) -> None:
        self.db, self.services = db, services
        self.plan, self.viewers, self.idea_ids, self.rng = plan, viewers, idea_ids, rng
        self.advance = advance
        self.index = {idea_id: n for n, idea_id in enumerate(idea_ids)}
        self.closed: dict[int, datetime] = {}  # plan index → when voting ended
        self.events: list[_Event] = []
        self.outcome = Outcome()
        self._votes = 0
        self._follows = 0
        self._order = itertools.count()

    def _push(self, event: _Event) -> None:
        event.order = next(self._order)  # events at the same moment keep their order
        heapq.heappush(self.events, event)

    async def play(self) -> Outcome:
        before, last, _ = self.plan.months
        for month in (before, last):
            self._push(_Event(self.plan.promotion_time(month), 0, "promote", month=month))
        for n, idea in enumerate(self.plan.ideas):
            if idea.withdrawn_at is not None:
                self._push(_Event(idea.withdrawn_at, 0, "withdraw", idea=n))
        while self.events:
            event = heapq.heappop(self.events)
            await self._catch_up(event.at)
            await getattr(self, f"_{event.kind}")(event)
        await self._catch_up(self.plan.now)
        return self.outcome

    async def _catch_up(self, until: datetime) -> None:
        """Write the votes and follows planned before ``until``."""
        due = self._due(self.plan.votes, self._votes, until)
        self._votes += len(due)
        votes = [v for v in due if not self._is_closed(v)]
        await self.db.conn.copy_records_to_table(
            "votes", columns=["idea_id", "voter_id", "created_at"],
            records=[(self.idea_ids[v.idea], self.viewers[v.person].id, v.at) for v in votes])
        # COPY bypasses the vote statements, which keep each idea's count.
        await recount(self.db.conn, sorted({self.idea_ids[v.idea] for v in votes}))
        follows = self._due(self.plan.follows, self._follows, until)
        self._follows += len(follows)
        for follow in follows:
            if self._is_closed(follow):
                continue
            self.db.now = follow.at
            await follow_idea(self.db, self.viewers[follow.person], self.idea_ids[follow.idea])
        self.advance(self._votes, len(self.plan.votes))

    @staticmethod
    def _due(acts: list[PlannedAct], done: int, until: datetime) -> list[PlannedAct]:
        end = done
        while end < len(acts) and acts[end].at < until:
            end += 1
        return acts[done:end]

    def _is_closed(self, act: PlannedAct) -> bool:
        closed = self.closed.get(act.idea)
        return closed is not None and act.at >= closed

    async def _promote(self, event: _Event) -> None:
        assert event.month is not None
        before = event.month == self.plan.months[0]
        self.db.now = event.at
        for purpose in PURPOSES:
            result = await promote_month(
                self.db, self.services, purpose.slug, event.month,
                trigger="promotion:schedule", by=None)
            for item in result.items:
                self.outcome.promoted += 1
                self._plan_answers(self.index[item.idea_id], event.at, before)

    def _plan_answers(self, idea: int, promoted_at: datetime, long_ago: bool) -> None:
        """When the administration answers: ideas promoted the month before last were
        answered a week or two later, and some again since; last month's only lately,
        and those the content wrote no answer for are still waiting."""
        answers = self.plan.ideas[idea].text.responses
        if not answers:
            if not long_ago:
                return
            answers = (FALLBACK,)
        if not long_ago:
            answers = answers[:1]
        latest = self.plan.now - HOUR
        at = promoted_at
        for n, answer in enumerate(answers):
            if long_ago:
                gap = (self.rng.uniform(4, 16) if n == 0 else self.rng.uniform(8, 25)) * DAY
            else:
                gap = (latest - at) * self.rng.uniform(0.2, 0.7)
            if at + gap >= latest:  # the month has only just begun: answered lately
                gap = (latest - at) * self.rng.uniform(0.3, 0.8)
            at += gap
            self._push(_Event(at, 0, "answer", idea=idea, answer=answer))

    async def _answer(self, event: _Event) -> None:
        answer = event.answer
        assert answer is not None
        self.db.now = event.at
        await respond_to_idea(
            self.db, self.services, self.viewers[ADMIN], self.idea_ids[event.idea],
            ResponseCreate(status=answer.status, response=answer.text))
        self.outcome.answered += 1
        if answer.status in FINAL:
            self.closed[event.idea] = event.at

    async def _withdraw(self, event: _Event) -> None:
        planned = self.plan.ideas[event.idea]
        idea_id = self.idea_ids[event.idea]
        status = await self.db.conn.fetchval("SELECT status FROM ideas WHERE id = $1", idea_id)
        if status != "open":  # promoted after all: its author keeps it
            return
        self.db.now = event.at
        await withdraw_idea(self.db, self.services, self.viewers[planned.author], idea_id)
        self.closed[event.idea] = event.at
