"""The guided conversation: one turn in, replies out.

Contract:

    AssistantFlow(session).handle(text, choice) -> list[Reply]

``session``: an ``appointment.notify.assistant.session`` record (sudo), its ``state``
and ``data`` updated in place; ``text``: what the customer wrote in this turn (several
messages joined by newlines); ``choice``: the choice id they tapped (ButtonPayload or
ListId) or None. A bare number answers the last numbered options (``data["options"]``).
"""

from dataclasses import dataclass, field


@dataclass
class Option:
    id: str  # a choice id, see appointment_notify_assistant_session.py
    title: str  # button / list item text (WhatsApp: <= 24 characters)
    description: str = ""  # list item description (<= 72 characters)


@dataclass
class Reply:
    text: str
    options: list[Option] = field(default_factory=list)


class AssistantFlow:
    def __init__(self, session):
        self.session = session
        self.env = session.env

    def handle(self, text, choice=None):
        """Placeholder until the flow lands."""
        return []
