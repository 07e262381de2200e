import json
from datetime import timedelta

from odoo import fields

from odoo.addons.appointment_notify_sms.tests.common import AUTH_TOKEN, SmsCase, twilio_fake

WA_FROM = "+3197010000002"
INBOUND = "/appointment_notify_whatsapp/inbound"
STATUS = "/appointment_notify_whatsapp/status"


def content_sid(template):
    """A stable fake ContentSid per template."""
    return "HX" + f"{template.id:032x}"


class WhatsappCase(SmsCase):
    """SmsCase (a local FakeTwilio) with a WhatsApp sender and approved templates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Template = cls.env["appointment.notify.whatsapp.template"]
        cls.company.write(
            {
                "notify_whatsapp_sender_type": "number",
                "notify_whatsapp_from_number": f"whatsapp:{WA_FROM}",
                "notify_whatsapp_rate": 0,
                "notify_whatsapp_cancel_min_hours": 2,
                "notify_whatsapp_auto_reply": False,
            }
        )
        (cls.customer | cls.customer2).write({"notify_consent_whatsapp": True})
        for template in cls.Template.search([]):
            template.content_sid = content_sid(template)

    def template(self, trigger, lang="en"):
        return self.env.ref(f"appointment_notify_whatsapp.whatsapp_template_event_{trigger}_{lang}")

    def make_wa_rule(self, trigger, **values):
        templates = self.Template.search([("trigger", "=", trigger)])
        return self.Rule.create(
            {
                "name": f"WhatsApp {trigger}",
                "trigger": trigger,
                "channel": "whatsapp",
                "whatsapp_template_ids": [(6, 0, templates.ids)],
                "company_id": self.company.id,
                **values,
            }
        )

    def book_wa(self, partners=None, trigger="confirmed", rule_values=None, **values):
        """A WhatsApp rule for ``trigger``, an appointment in two days; its WhatsApp messages."""
        domain = [("trigger", "=", trigger), ("channel", "=", "whatsapp")]
        if not self.Rule.search_count(domain):
            self.make_wa_rule(trigger, **(rule_values or {}))
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = self.make_event(start=start, partners=partners, **values)
        return event, self.messages(event, channel="whatsapp")

    def wa_sent(self):
        """What FakeTwilio accepted on WhatsApp."""
        return [m for m in self.tw.messages if m["To"].startswith("whatsapp:")]

    @staticmethod
    def variables(sent):
        return json.loads(sent["ContentVariables"])

    def open_window(self, partner, hours_ago=1):
        partner.notify_whatsapp_last_inbound = fields.Datetime.now() - timedelta(hours=hours_ago)


__all__ = ["AUTH_TOKEN", "INBOUND", "STATUS", "WA_FROM", "WhatsappCase", "twilio_fake"]
