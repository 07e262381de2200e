from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..tools.sms_encoding import netgsm_segments
from .common import TR_MOBILE, SmsCase
from .netgsm_fake import FakeNetgsm

USERCODE = "8501112233"
PASSWORD = "netgsm-secret"
HEADER = "SALON"
TR_GSM = TR_MOBILE.lstrip("+")
TURKISH = "Randevunuz onaylandı: Çarşamba 10:00, Işıl Güneş. İyi günler!"


@tagged("post_install", "-at_install", "appointment_notify_sms")
class TestSmsNetgsm(SmsCase):
    """The SMS channel through NetGSM (a local NetGSM-protocol server)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ng = FakeNetgsm(usercode=USERCODE, password=PASSWORD, headers={HEADER})
        cls.ng.start()
        cls.addClassCleanup(cls.ng.stop)
        ICP = cls.env["ir.config_parameter"].sudo()
        ICP.set_param("appointment_notify_sms.netgsm_api_url", cls.ng.url)
        cls.company.write(
            {
                "country_id": cls.env.ref("base.tr").id,
                "notify_sms_provider": "netgsm",
                "notify_netgsm_usercode": USERCODE,
                "notify_netgsm_password": PASSWORD,
                "notify_netgsm_header": HEADER,
                "notify_netgsm_encoding": "TR",
            }
        )
        cls.customer.write({"phone": "0532 123 45 67", "country_id": cls.env.ref("base.tr").id})

    def setUp(self):
        super().setUp()
        self.ng.reset()
        self.ng.delivery = None

    def send_one(self):
        _event, messages = self.book(partners=self.customer)
        self.dispatch()
        return messages

    def test_send_through_netgsm_with_header_and_turkish(self):
        """NetGSM gets the header, the number as 905..., encoding TR; Twilio gets nothing."""
        message = self.send_one()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(message.sms_provider, "netgsm")
        self.assertEqual(len(self.ng.sent), 1)
        sent = self.ng.sent[0]
        self.assertEqual(message.provider_ref, sent["jobid"])
        self.assertEqual(sent["no"], TR_GSM)
        self.assertEqual(sent["header"], HEADER)
        self.assertEqual(sent["encoding"], "TR")
        self.assertEqual(sent["iysfilter"], "0", "a confirmation is a service message")
        self.assertEqual(sent["msg"], message.body)
        self.assertFalse(self.tw.messages)

    def test_latin_encoding_sends_no_tr(self):
        self.company.notify_netgsm_encoding = "default"
        self.send_one()
        self.assertIsNone(self.ng.sent[0]["encoding"])

    def test_review_request_is_commercial(self):
        """A review request (non-service) is sent with İYS's commercial filter."""
        self.customer.notify_consent_marketing = True
        rule = self.make_sms_rule("followup")
        self.assertTrue(rule.non_service)
        message = self.env["appointment.notify.message"].create(
            {
                "rule_id": rule.id,
                "company_id": self.company.id,
                "res_model": "res.partner",
                "res_id": self.customer.id,
                "partner_id": self.customer.id,
                "channel": "sms",
                "trigger": "followup",
                "state": "scheduled",
                "scheduled_at": fields.Datetime.now(),
                "next_attempt_at": fields.Datetime.now(),
                "body": "Bizi değerlendirir misiniz?",
                "prerendered": True,
            }
        )
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(self.ng.sent[0]["iysfilter"], "11")

    def test_every_answer_code(self):
        """Each NetGSM answer: retry later, or fail with a readable reason."""
        expected = {
            "20": (False, "refused the text (code 20)"),
            "30": (False, "user code or password (code 30)"),
            "40": (False, "header (başlık)"),
            "50": (False, "İYS-checked (commercial) messages (code 50)"),
            "51": (False, "No İYS brand code"),
            "70": (False, "parameter invalid or missing (code 70)"),
            "80": (True, "sending limit was reached (code 80)"),
            "85": (True, "more than 20 messages"),
            "100": (True, "system error (code 100)"),
            "101": (True, "system error (code 101)"),
            "999": (False, "answer 999"),
        }
        for code, (retry, text) in expected.items():
            with self.subTest(code=code):
                self.ng.reset()
                self.ng.fail_next(code)
                message = self.send_one()
                if retry:
                    self.assertEqual(message.state, "scheduled", message.reason)
                    self.assertTrue(message.next_attempt_at)
                else:
                    self.assertEqual(message.state, "failed")
                    self.assertEqual(message.attempts, 1)
                self.assertIn(text, message.reason)
                self.assertFalse(message.provider_ref)

    def test_retry_after_system_error_sends_once(self):
        self.ng.fail_next("100")
        message = self.send_one()
        self.assertEqual(message.state, "scheduled")
        message.next_attempt_at = message.create_date
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(len(self.ng.sent), 1)

    def test_missing_header_fails_clearly(self):
        self.company.notify_netgsm_header = False
        message = self.send_one()
        self.assertEqual(message.state, "failed")
        self.assertIn("No NetGSM header (başlık) is set", message.reason)
        self.assertFalse(self.ng.requests)

    def test_unregistered_header_answer_40(self):
        self.company.notify_netgsm_header = "OTHER"
        message = self.send_one()
        self.assertEqual(message.state, "failed")
        self.assertIn("'OTHER'", message.reason)
        self.assertIn("code 40", message.reason)

    def test_bad_number_fails_before_netgsm(self):
        self.customer.phone = "12 34"
        message = self.send_one()
        self.assertEqual(message.state, "failed")
        self.assertIn("not a valid phone number", message.reason)
        self.assertFalse(self.ng.requests)

    def test_unreachable_netgsm_is_retried(self):
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.set_param("appointment_notify_sms.netgsm_api_url", "http://127.0.0.1:9")
        try:
            message = self.send_one()
        finally:
            ICP.set_param("appointment_notify_sms.netgsm_api_url", self.ng.url)
        self.assertEqual(message.state, "scheduled")
        self.assertIn("NetGSM could not be reached", message.reason)

    def test_test_mode_without_account(self):
        """No NetGSM user code/password: test mode, nothing leaves, even with Twilio set."""
        self.company.notify_netgsm_password = False
        message = self.send_one()
        self.assertTrue(message.test_mode)
        self.assertFalse(self.ng.requests)
        self.assertFalse(self.tw.messages)

    def test_twilio_company_unchanged(self):
        """Switching back to Twilio sends through Twilio."""
        self.company.notify_sms_provider = "twilio"
        message = self.send_one()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(message.sms_provider, "twilio")
        self.assertEqual(len(self.tw.messages), 1)
        self.assertFalse(self.ng.requests)

    def test_report_cron_applies_status_once(self):
        """One query for everything pending; delivered applied once; none when idle."""
        Message = self.env["appointment.notify.message"]
        self.customer2.phone = "0533 765 43 21"  # the company's country: Turkey
        _event, messages = self.book(partners=self.customer | self.customer2)
        self.dispatch()
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        Message._cron_netgsm_status()
        self.assertEqual(self.ng.report_queries, 1)
        self.assertEqual(set(messages.mapped("state")), {"sent"}, "status 0: still waiting")
        first, second = messages
        self.ng.deliver(first.provider_ref, "1")
        self.ng.deliver(second.provider_ref, "12")
        Message._cron_netgsm_status()
        self.assertEqual(self.ng.report_queries, 2)
        self.assertEqual(first.state, "delivered")
        self.assertEqual(second.state, "failed")
        self.assertIn("NetGSM status 12", second.reason)
        Message._cron_netgsm_status()
        self.assertEqual(self.ng.report_queries, 2, "nothing pending: no query")

    def test_report_batches_within_queries_per_run(self):
        """Batches of netgsm_report_batch job ids, at most netgsm_report_queries a run."""
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.set_param("appointment_notify_sms.netgsm_report_batch", "1")
        ICP.set_param("appointment_notify_sms.netgsm_report_queries", "1")
        self.customer2.phone = "0533 765 43 21"
        self.ng.delivery = "1"
        _event, messages = self.book(partners=self.customer | self.customer2)
        self.dispatch()
        Message = self.env["appointment.notify.message"]
        Message._cron_netgsm_status()
        self.assertEqual(self.ng.report_queries, 1)
        self.assertEqual(messages.mapped("state"), ["delivered", "sent"])
        ICP.set_param("appointment_notify_sms.netgsm_report_queries", "5")
        Message._cron_netgsm_status()
        self.assertEqual(self.ng.report_queries, 2)
        self.assertEqual(messages.mapped("state"), ["delivered", "delivered"])

    def test_report_iys_refusal_turns_marketing_consent_off(self):
        self.customer.notify_consent_marketing = True
        self.ng.status_by_number[TR_GSM] = "16"
        message = self.send_one()
        self.env["appointment.notify.message"]._cron_netgsm_status()
        self.assertEqual(message.state, "failed")
        self.assertIn("İYS", message.reason)
        self.assertFalse(self.customer.notify_consent_marketing)
        self.assertTrue(self.customer.notify_consent_sms, "service SMS stay allowed")

    @mute_logger("odoo.addons.appointment_notify_sms.models.appointment_notify_message")
    def test_report_refused_changes_nothing(self):
        message = self.send_one()
        self.company.notify_netgsm_password = "wrong"
        self.env["appointment.notify.message"]._cron_netgsm_status()
        self.assertEqual(message.state, "sent")

    def test_segments_as_netgsm_bills(self):
        """Turkish letters with encoding TR: 155 septets in one SMS, 149 per part."""
        self.assertEqual(netgsm_segments("ş" * 77)[1:], (154, 1))
        self.assertEqual(netgsm_segments("ş" * 78)[1:], (156, 2))
        self.assertEqual(netgsm_segments("a" * 160)[1:], (160, 1))
        self.assertEqual(netgsm_segments(TURKISH)[0], "gsm7_tr")
        self.assertEqual(netgsm_segments("ş" * 100, turkish=False)[1:], (100, 1))
        self.assertEqual(netgsm_segments("ş😀")[0], "ucs2")
        message = self.send_one()
        turkish = message.company_id.notify_netgsm_encoding == "TR"
        self.assertEqual(message.sms_segment_count, netgsm_segments(message.body, turkish)[2])

    def test_header_validated(self):
        with self.assertRaises(ValidationError):
            self.company.notify_netgsm_header = "ŞALON"
        with self.assertRaises(ValidationError):
            self.company.notify_netgsm_header = "AB"

    def test_settings_show_the_provider_fields(self):
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.notify_sms_provider, "netgsm")
        self.assertEqual(settings.notify_netgsm_header, HEADER)
        settings.notify_sms_provider = "twilio"
        settings.save()
        self.assertEqual(self.company.notify_sms_provider, "twilio")
