"""The requests each phase sends, as factories of raw HTTP/1.1 requests.

Reads are anonymous and send no cookies, as an API client or a first-time visitor
does. Votes go out as random (user, idea) pairs, each with that user's bearer token.
The pairs voted for are remembered so that the DELETE phase retracts votes that exist:
a DELETE of a vote that is not there is a cheaper no-op and would flatter the figure.
"""

from __future__ import annotations

import random
from collections import deque

from data import Dataset
from loadgen import RequestFactory, build_request


class Scenarios:
    """Request factories over one loaded dataset, for one server address."""

    def __init__(self, dataset: Dataset, host: str, seed: int = 3) -> None:
        self.dataset = dataset
        self.host = host
        self.rng = random.Random(seed)
        # Loaded votes are retracted after the ones cast during the PUT phase, in random
        # order, so the DELETE phase never runs short of real votes.
        loaded = list(dataset.votes)
        self.rng.shuffle(loaded)
        self.cast: deque[tuple[int, int]] = deque()  # (idea_id, user index) voted for
        self.loaded = deque(loaded)
        self._user_index = {uid: i for i, uid in enumerate(dataset.user_ids)}
        self.deletes_of_missing = 0

    def _get(self, path: str) -> bytes:
        return build_request("GET", path, self.host)

    def hello(self) -> RequestFactory:
        request = self._get("/healthz")
        return lambda: request

    def idea_get(self) -> RequestFactory:
        # Prebuilt: one request per idea, chosen at random each time.
        requests = [self._get(f"/api/v1/ideas/{iid}") for iid in self.dataset.idea_ids]
        choice = self.rng.choice
        return lambda: choice(requests)

    def top_month(self, limit: int = 20, status: str | None = None) -> RequestFactory:
        """A purpose's first page by this month's votes; with ``status``, of that status
        only (ranked by PostgreSQL, not read from a leaderboard)."""
        only = f"&status={status}" if status else ""
        requests = [self._get(f"/api/v1/purposes/{slug}/ideas?sort=top_month&limit={limit}"
                              f"{only}") for slug in self.dataset.purpose_slugs]
        choice = self.rng.choice
        return lambda: choice(requests)

    def _vote(self, method: str, idea_id: int, user: int) -> bytes:
        return build_request(method, f"/api/v1/ideas/{idea_id}/vote", self.host,
                             {"Authorization": f"Bearer {self.dataset.tokens[user]}"})

    def vote_put(self) -> RequestFactory:
        ideas, users = self.dataset.idea_ids, len(self.dataset.user_ids)
        rng = self.rng

        def make() -> bytes:
            idea_id, user = rng.choice(ideas), rng.randrange(users)
            self.cast.append((idea_id, user))
            return self._vote("PUT", idea_id, user)

        return make

    def vote_delete(self) -> RequestFactory:
        def make() -> bytes:
            if self.cast:
                idea_id, user = self.cast.popleft()
            elif self.loaded:
                idea_id, voter_id = self.loaded.popleft()
                user = self._user_index[voter_id]
            else:  # every vote retracted: from here on DELETEs are no-ops
                self.deletes_of_missing += 1
                idea_id = self.rng.choice(self.dataset.idea_ids)
                user = self.rng.randrange(len(self.dataset.user_ids))
            return self._vote("DELETE", idea_id, user)

        return make

    def probe(self) -> dict[str, bytes]:
        """One request of each kind, to learn before measuring which endpoints exist."""
        idea = self.dataset.idea_ids[0]
        return {
            "hello": self._get("/healthz"),
            "idea_get": self._get(f"/api/v1/ideas/{idea}"),
            "top_month": self._get(f"/api/v1/purposes/{self.dataset.purpose_slugs[0]}"
                                   f"/ideas?sort=top_month&limit=20"),
            "top_open": self._get(f"/api/v1/purposes/{self.dataset.purpose_slugs[0]}"
                                  f"/ideas?sort=top_month&limit=20&status=open"),
            # A PUT then a DELETE of the same pair leaves the data as it was.
            "vote_put": self._vote("PUT", idea, 0),
            "vote_delete": self._vote("DELETE", idea, 0),
        }
