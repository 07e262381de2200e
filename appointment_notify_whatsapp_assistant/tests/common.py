import threading
from contextlib import contextmanager
from unittest.mock import patch

from odoo.addons.appointment_notify_whatsapp.tests.common import WhatsappCase
from odoo.addons.appointment_notify_whatsapp.tests.test_whatsapp_webhooks import (
    TestWhatsappWebhooks,
)

from ..tools.assistant_flow import AssistantFlow, Option, Reply


class FakeFlow:
    """Stands in for the guided flow (its own helper builds it): records each turn.

    ``intent:human`` hands over to staff; anything else is echoed with two options.
    """

    def __init__(self, delay=0.0):
        self.calls = []
        self.lock = threading.Lock()
        self.delay = delay

    def handle(self, flow, text, choice=None):
        with self.lock:
            self.calls.append((flow.session.id, text, choice))
        if self.delay:
            threading.Event().wait(self.delay)
        if choice == "intent:human":
            return flow.session._assistant_handoff("asked for a person")
        return [
            Reply(
                f"Echo: {text or choice}",
                [Option("svc:1", "Haircut"), Option("svc:2", "Colour", "45 min")],
            )
        ]

    @contextmanager
    def patched(self):
        fake = self

        def handle(flow, text, choice=None):
            return fake.handle(flow, text, choice)

        with patch.object(AssistantFlow, "handle", handle):
            yield self


class AssistantCase(WhatsappCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.notify_assistant_enabled = True
        cls.Session = cls.env["appointment.notify.assistant.session"]
        cls.Inbound = cls.env["appointment.notify.whatsapp.inbound"]
        cls.env["ir.config_parameter"].sudo().set_param(
            "appointment_notify_whatsapp_assistant.twilio_content_url", cls.tw.url
        )

    fake_flow = True  # False: the real guided flow answers

    def setUp(self):
        super().setUp()
        self.flow = FakeFlow()
        if self.fake_flow:
            self.enterContext(self.flow.patched())

    def run_turns(self, **kwargs):
        return self.Session.with_context(assistant_debounce=0)._cron_run(**kwargs)

    def replies(self, session):
        return self.Message.search([("assistant_session_id", "=", session.id)], order="id")

    # A signed WhatsApp webhook through the HTTP stack; the inbound row.
    inbound = TestWhatsappWebhooks.inbound
