"""Everything the demo says that is not tied to one idea: the purposes in the order
they are created (the front page lists the newest first), the replies that suit any
comment, and the answers for promoted ideas the content did not foresee."""

from __future__ import annotations

from ideabox.demo.ideas_green import GREEN
from ideabox.demo.ideas_harbour import HARBOUR
from ideabox.demo.ideas_rules import RULES
from ideabox.demo.model import PurposeText, Response

# Created in this order, so the front page (newest first) shows the residents' harbour,
# then the green everyday life everybody may join, then the staff's rules.
PURPOSES: tuple[PurposeText, ...] = (RULES, GREEN, HARBOUR)

REPLIES = (
    "Enig!",
    "God pointe. Det havde jeg ikke tænkt på.",
    "Helt enig, og det behøver ikke at koste meget.",
    "Jeg er ikke helt sikker, men lad os prøve det.",
    "Præcis.",
    "Det kunne være en god start.",
    "Ja, det ville hjælpe mange.",
    "Det er et godt spørgsmål. Det må forvaltningen svare på.",
)

AUTHOR_REPLIES = (
    "Tak for opbakningen!",
    "Godt forslag – det tager jeg med.",
    "Tak. Del gerne idéen med andre, der kunne have lyst til at stemme.",
)

# For an idea promoted two months ago that the content wrote no answer for: the
# administration has looked at it, without deciding yet.
FALLBACK = Response("under_review", """\
Tak for idéen og for de mange stemmer. Vi er ved at undersøge, hvad den vil kræve, og \
hvordan den passer med de planer, der allerede er sat i gang. Vi svarer her, så snart \
vi ved mere.""")
