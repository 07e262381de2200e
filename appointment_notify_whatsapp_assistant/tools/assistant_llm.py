"""The optional language model turn (OpenAI-compatible chat completions with tools).

Contract:

    AssistantLlm(session).handle(text, choice=None) -> list[Reply] | None

``None`` means "fall back to the guided flow from the same state" (model off, timeout,
HTTP error, bad JSON, bad tool call, a time the engine did not return). The model only
proposes: a proposal puts the session in state ``confirm`` with the same ``data`` the
guided flow uses (intent, service_id, staff_id, start, event_id), and the guided flow's
confirm step books, moves or cancels when the customer taps "yes".
"""


class AssistantLlm:
    def __init__(self, session):
        self.session = session
        self.env = session.env

    def handle(self, text, choice=None):
        """Placeholder until the model client lands: always the guided flow."""
        return None
