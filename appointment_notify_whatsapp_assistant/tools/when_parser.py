"""Free-text days and times in en, tr, nl, it, uk: "yarın 14:00", "morgen om half 4".

Contract (the flow relies on it):

    parse_when(text, lang, today, is_open=None) -> When

``lang``: an Odoo code (en_US, tr_TR, nl_NL, it_IT, uk_UA) or its first two letters;
``today``: a ``date`` in the business's time zone; ``is_open(hour) -> bool`` tells
whether the business works at that hour (a bare "3" is 15:00 when 03:00 is closed).
A phrase that could mean two things never guesses: ``question`` says what to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time


@dataclass
class When:
    day: date | None = None
    time: time | None = None
    part: str | None = None  # "morning" | "afternoon" | "evening" when no exact time
    question: str | None = None  # "day" | "time" | "ampm": what to ask back


def parse_when(text, lang, today, is_open=None):
    """Placeholder until the parser lands: nothing understood."""
    return When()
