"""The overview's counting inside ``serve``: a round every few minutes.

The elected leader runs this loop (``ideabox.election``); should two ever lead at once,
a round is counted by whichever takes the advisory lock first, and the other skips it
(``refresh_overview``), so replicas do not count the same months side by side.
"""

from __future__ import annotations

import asyncio
import logging

from ideabox.overview.counting import refresh_overview
from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.services import Services

log = logging.getLogger(__name__)

# How often the month under way is counted again: the "as of" on the page is at most
# this old (plus a round's own time) while any instance runs.
EVERY = 300.0
RETRY_AFTER_FAILURE = 30.0


async def refresh_overview_forever(services: Services) -> None:
    """The background task: count what is due, then wait for the next round."""
    while True:
        try:
            written = await refresh_overview(services.pool, services.clock.now())
            if written is not None:
                log.info("overview counted", extra={"rows": written})
            pause = EVERY
        except CONNECTION_ERRORS as exc:
            log.warning("overview not counted, database unreachable: %s", exc)
            pause = RETRY_AFTER_FAILURE
        await asyncio.sleep(pause)
