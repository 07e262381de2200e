from datetime import timedelta

from odoo import fields

from odoo.addons.appointment_notify.tests.common import NotifyCase

# The local Twilio server, shipped with the addon so its tests run from a wheel.
from . import twilio_fake

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "sms-test-auth-token"
FROM_NUMBER = "+3197010000001"
NL_MOBILE = "+31612345678"
NL_MOBILE2 = "+31687654321"
TR_MOBILE = "+905321234567"


class SmsCase(NotifyCase):
    """NotifyCase with a Twilio account pointed at a local FakeTwilio."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tw = twilio_fake.FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN)
        cls.tw.start()
        cls.addClassCleanup(cls.tw.stop)
        ICP = cls.env["ir.config_parameter"].sudo()
        ICP.set_param("appointment_notify_sms.twilio_api_url", cls.tw.url)
        # Twilio calls (and signs for) the webhook URL: this test server's.
        ICP.set_param("appointment_notify_sms.webhook_url", ICP.get_param("web.base.url"))
        cls.company.write(
            {
                "country_id": cls.env.ref("base.nl").id,
                "sms_twilio_account_sid": ACCOUNT_SID,
                "sms_twilio_auth_token": AUTH_TOKEN,
                "notify_sms_sender_type": "number",
                "notify_sms_from_number": FROM_NUMBER,
                "notify_sms_rate": 0,
            }
        )
        cls.customer.write(
            {
                "phone": "06 12345678",
                "country_id": cls.env.ref("base.nl").id,
                "notify_consent_sms": True,
            }
        )
        cls.customer2.write(
            {"phone": "06 87654321", "country_id": False, "notify_consent_sms": True}
        )

    def setUp(self):
        super().setUp()
        self.tw.reset()
        self.tw.delivery = None  # no status callbacks unless a test wants them

    def make_sms_rule(self, trigger, **values):
        return self.Rule.create(
            {
                "name": f"SMS {trigger}",
                "trigger": trigger,
                "channel": "sms",
                "sms_template_id": self.env.ref(
                    f"appointment_notify_sms.sms_template_event_{trigger}"
                ).id,
                "company_id": self.company.id,
                **values,
            }
        )

    def book(self, partners=None, trigger="confirmed", **values):
        """An SMS rule for ``trigger`` and an appointment in two days; its messages."""
        domain = [("trigger", "=", trigger), ("channel", "=", "sms")]
        if not self.Rule.search_count(domain):
            self.make_sms_rule(trigger)
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = self.make_event(start=start, partners=partners, **values)
        return event, self.messages(event, channel="sms")


class TwilioCallbacksMixin:
    """For HttpCase tests receiving the local Twilio server's signed callbacks."""

    def setUp(self):
        super().setUp()
        # FakeTwilio's callbacks carry no test cookie: let them in; they wait
        # for the test lock until wait_callbacks() releases it.
        self.http_request_allow_all = True
        self.tw.callback_timeout = 30

    def wait_callbacks(self):
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            self.assertTrue(self.tw.wait_idle(20), "status callbacks still pending")
        self.env.invalidate_all()
        self.assertFalse(self.tw.callback_errors())
