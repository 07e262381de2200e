import uuid

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import (
    AUTH_TOKEN,
    NL_MOBILE,
    NL_MOBILE2,
    SmsCase,
    TwilioCallbacksMixin,
    twilio_fake,
)

STATUS = "/appointment_notify_sms/status"
INBOUND = "/appointment_notify_sms/inbound"
CONTROLLER_LOG = "odoo.addons.appointment_notify_sms.controllers.main"
OTHER_ACCOUNT = "AC" + "0b" * 16
OTHER_TOKEN = "another-accounts-auth-token"


@tagged("post_install", "-at_install", "appointment_notify_sms")
class TestSmsWebhooks(TwilioCallbacksMixin, SmsCase, HttpCase):
    def post_signed(self, path, params, token=AUTH_TOKEN, sign=True):
        url = self.base_url() + path
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = twilio_fake.twilio_signature(token, url, params)
        response = self.url_open(url, data=params, headers=headers)
        self.env.invalidate_all()
        return response

    def status_params(self, message, status, **extra):
        return {
            "AccountSid": self.tw.account_sid,
            "ApiVersion": "2010-04-01",
            "From": "+3197010000001",
            "MessageSid": message.provider_ref,
            "MessageStatus": status,
            "SmsSid": message.provider_ref,
            "SmsStatus": status,
            "To": message.destination,
            **extra,
        }

    def test_status_callbacks_up_to_delivered(self):
        self.tw.delivery = "delivered"
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "sent")
        self.wait_callbacks()
        self.assertEqual(message.state, "delivered")
        statuses = [entry[1]["MessageStatus"] for entry in self.tw.callback_log]
        self.assertEqual(statuses, ["queued", "sent", "delivered"])

    def test_undelivered_with_error_code(self):
        self.tw.delivery = "delivered"
        self.tw.delivery_error_numbers[NL_MOBILE] = 30006
        event, message = self.book()
        self.dispatch()
        self.wait_callbacks()
        self.assertEqual(message.state, "failed")
        self.assertIn("30006", message.reason)
        self.assertIn("landline", message.reason)
        self.assertIn("failed", event.message_ids[0].body)

    def test_delivery_error_codes_readable(self):
        for code, words in (
            (30003, "unreachable"),
            (30005, "unknown"),
            (30007, "filtered"),
            (30008, "unknown error"),
            (30001, "queue"),
        ):
            with self.subTest(code=code):
                _event, message = self.book()
                self.dispatch()
                response = self.post_signed(
                    f"{STATUS}/{message.id}",
                    self.status_params(message, "undelivered", ErrorCode=str(code)),
                )
                self.assertEqual(response.status_code, 200)
                self.assertEqual(message.state, "failed")
                self.assertIn(str(code), message.reason)
                self.assertIn(words, message.reason)

    def test_429_retried_then_delivered(self):
        self.tw.delivery = "delivered"
        self.tw.inject_faults(rate=1.0, kinds=("429",))
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "scheduled")
        self.assertGreater(message.next_attempt_at, fields.Datetime.now())
        self.tw.clear_faults()
        message.next_attempt_at = fields.Datetime.now()
        self.dispatch()
        self.assertEqual(message.state, "sent")
        self.wait_callbacks()
        self.assertEqual(message.state, "delivered")
        self.assertEqual(message.attempts, 2)

    @mute_logger("odoo.addons.appointment_notify_sms.controllers.main")
    def test_forged_or_unsigned_callback_refused(self):
        _event, message = self.book()
        self.dispatch()
        params = self.status_params(message, "delivered")
        forged = self.post_signed(f"{STATUS}/{message.id}", params, token="not-the-token")
        self.assertEqual(forged.status_code, 403)
        unsigned = self.post_signed(f"{STATUS}/{message.id}", params, sign=False)
        self.assertEqual(unsigned.status_code, 403)
        # a valid signature for another message's URL, posted to this one: refused
        other_url = self.base_url() + f"{STATUS}/{message.id + 1}"
        moved = self.url_open(
            self.base_url() + f"{STATUS}/{message.id}",
            data=params,
            headers={
                "X-Twilio-Signature": twilio_fake.twilio_signature(AUTH_TOKEN, other_url, params)
            },
        )
        self.assertEqual(moved.status_code, 403)
        self.env.invalidate_all()
        self.assertEqual(message.state, "sent")

    @mute_logger("odoo.addons.appointment_notify_sms.models.appointment_notify_message")
    def test_duplicate_and_late_callbacks_change_nothing(self):
        event, message = self.book()
        self.dispatch()
        path = f"{STATUS}/{message.id}"
        self.assertEqual(
            self.post_signed(path, self.status_params(message, "delivered")).status_code, 200
        )
        self.assertEqual(message.state, "delivered")
        notes = len(event.message_ids)
        write_date = message.write_date
        for status in ("delivered", "sent", "queued", "undelivered"):
            response = self.post_signed(
                path, self.status_params(message, status, ErrorCode="30003")
            )
            self.assertEqual(response.status_code, 200)
        self.assertEqual(message.state, "delivered")
        self.assertEqual(message.write_date, write_date)
        # a status about another Twilio message never touches this one
        _event2, other = self.book()
        self.dispatch()
        params = self.status_params(other, "undelivered", MessageSid="SM" + "f" * 32)
        self.post_signed(f"{STATUS}/{other.id}", params)
        self.assertEqual(other.state, "sent")
        self.assertEqual(len(event.message_ids), notes)

    def inbound(self, body, from_=NL_MOBILE, sid=None, **extra):
        sid = sid or "SM" + uuid.uuid4().hex
        extra = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, **extra}
        token = extra.pop("auth_token", None)
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            status, text = self.tw.send_inbound(
                self.base_url() + INBOUND,
                from_=from_,
                to="+3197010000001",
                body=body,
                extra=extra,
                auth_token=token,
            )
        self.env.invalidate_all()
        return status, text

    def received(self, **domain):
        return self.env["appointment.notify.sms.inbound"].search(
            [(key, "=", value) for key, value in domain.items()]
        )

    def blacklisted(self, number):
        return bool(self.env["phone.blacklist"].search([("number", "=", number)]))

    def test_inbound_stop_and_start(self):
        status, text = self.inbound("  stop ")
        self.assertEqual(status, 200)
        self.assertIn("<Response>", text)
        self.assertFalse(self.customer.notify_consent_sms)
        self.assertTrue(self.customer.notify_consent_sms_opted_out)
        self.assertIn("SMS reply STOP", self.customer.notify_consent_sms_source)
        self.assertTrue(self.blacklisted(NL_MOBILE), "Odoo's own SMS respect the STOP")
        bodies = self.customer.message_ids.mapped("body")
        self.assertTrue(any("SMS consent turned off" in body for body in bodies), bodies)
        self.assertEqual(self.received(from_number=NL_MOBILE).kind, "opt_out")
        self.inbound("Start")
        self.assertTrue(self.customer.notify_consent_sms)
        self.assertFalse(self.customer.notify_consent_sms_opted_out)
        self.assertEqual(
            self.customer.notify_consent_sms_source,
            f"SMS reply START from {NL_MOBILE} (after an opt-out)",
        )
        self.assertFalse(self.blacklisted(NL_MOBILE))
        self.assertIn("SMS consent restored for Ayla Customer", self.customer.message_ids[0].body)
        for keyword in ("CANCEL", "unsubscribe", "End", "QUIT", "stopall", "revoke", "OPTOUT"):
            with self.subTest(keyword=keyword):
                self.customer.notify_consent_sms = True
                self.inbound(keyword)
                self.assertFalse(self.customer.notify_consent_sms)

    def test_inbound_other_text_posted_for_staff(self):
        self.inbound("Can I come at 11 instead? Not STOP")
        self.assertTrue(self.customer.notify_consent_sms)
        note = self.customer.message_ids[0]
        self.assertIn("Can I come at 11 instead?", note.body)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(note.author_id, self.customer)

    @mute_logger("odoo.addons.appointment_notify_sms.controllers.main")
    def test_inbound_forged_refused(self):
        with self.allow_requests(all_requests=True):
            status, _text = self.tw.send_inbound(
                self.base_url() + INBOUND,
                from_=NL_MOBILE,
                to="+3197010000001",
                body="STOP",
                auth_token="forged",
            )
        self.env.invalidate_all()
        self.assertEqual(status, 403)
        self.assertTrue(self.customer.notify_consent_sms)

    # ------------------------------------------------------------------
    # consent from replies (issue 11, point 2)
    # ------------------------------------------------------------------

    def test_yes_is_an_answer_not_consent(self):
        self.customer.notify_consent_sms = False  # never given
        self.inbound("Yes")
        self.assertFalse(self.customer.notify_consent_sms)
        self.assertEqual(self.received(from_number=NL_MOBILE).kind, "text")
        self.assertIn("Yes", self.customer.message_ids[0].body)

    def test_start_never_creates_consent(self):
        self.customer.notify_consent_sms = False  # never given
        source = self.customer.notify_consent_sms_source
        for keyword in ("START", "unstop"):
            with self.subTest(keyword=keyword):
                self.inbound(keyword)
                self.assertFalse(self.customer.notify_consent_sms)
                self.assertEqual(self.customer.notify_consent_sms_source, source)
                self.assertIn("no SMS consent to restore", self.customer.message_ids[0].body)
        self.assertEqual(
            self.received(from_number=NL_MOBILE).mapped("kind"), ["opt_in_ignored"] * 2
        )

    def test_start_restores_consent_removed_by_twilio_21610(self):
        self.tw.fail_numbers[NL_MOBILE] = 21610
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "failed")
        self.assertFalse(self.customer.notify_consent_sms)
        self.assertTrue(self.customer.notify_consent_sms_opted_out)
        self.assertTrue(self.blacklisted(NL_MOBILE))
        self.inbound("START")
        self.assertTrue(self.customer.notify_consent_sms)
        self.assertFalse(self.blacklisted(NL_MOBILE))

    def test_replayed_stop_applies_once(self):
        """Twilio retries a webhook: the same MessageSid again changes nothing."""
        sid = "SM" + "e" * 32
        self.assertEqual(self.inbound("STOP", sid=sid)[0], 200)
        self.inbound("START")
        self.assertTrue(self.customer.notify_consent_sms)
        notes = len(self.customer.message_ids)
        status, text = self.inbound("STOP", sid=sid)
        self.assertEqual(status, 200)
        self.assertIn("<Response>", text)
        self.assertTrue(self.customer.notify_consent_sms)
        self.assertEqual(len(self.customer.message_ids), notes)
        self.assertEqual(len(self.received(message_sid=sid)), 1)

    def test_stop_applies_to_the_company_contacts_with_the_number(self):
        Partner = self.env["res.partner"]
        other_company = self.env["res.company"].create({"name": "Other salon"})
        nl = self.env.ref("base.nl").id
        number = "+31611223344"  # nobody's in the demo data
        self.customer.phone = "06 11 22 33 44"
        common = {"phone": "+31 6 11223344", "country_id": nl, "notify_consent_sms": True}
        colleague = Partner.create(
            {"name": "Ayla at work", "company_id": self.company.id, **common}
        )
        foreign = Partner.create(
            {"name": "Ayla elsewhere", "company_id": other_company.id, **common}
        )
        archived = Partner.create({"name": "Ayla archived", "active": False, **common})
        self.inbound("STOP", from_=number)
        matched = self.customer | colleague
        self.assertFalse(any(matched.mapped("notify_consent_sms")))
        self.assertTrue(foreign.notify_consent_sms, "another company's contact")
        self.assertTrue(archived.notify_consent_sms, "an archived contact")
        self.assertEqual(self.received(from_number=number).partner_ids, matched)
        for partner in matched:
            note = partner.message_ids.filtered(lambda m: "SMS stopped for" in (m.body or ""))
            self.assertEqual(len(note), 1, partner.name)
            self.assertIn("Ayla Customer", note.body)
            self.assertIn("Ayla at work", note.body)

    def test_number_matched_with_the_signing_company_country(self):
        """A contact without a country, saved while in a Turkish company, still matches.

        Its stored phone_sanitized was computed with Turkey; SMS to it go out
        with the company's country (NL), so its NL reply must find it.
        """
        turkey = self.env["res.company"].create(
            {"name": "Istanbul salon", "country_id": self.env.ref("base.tr").id}
        )
        self.env.user.company_ids |= turkey
        partner = self.customer2.with_company(turkey)
        partner.write({"phone": "06-87654321"})
        partner.flush_recordset()
        self.assertNotEqual(partner.phone_sanitized, NL_MOBILE2)
        self.inbound("STOP", from_=NL_MOBILE2)
        self.assertFalse(self.customer2.notify_consent_sms)
        self.assertEqual(self.received(from_number=NL_MOBILE2).partner_ids, self.customer2)

    # ------------------------------------------------------------------
    # webhook URL (issue 11, point 3)
    # ------------------------------------------------------------------

    def test_callbacks_and_stop_survive_a_base_url_change(self):
        """An administrator logging in from another address rewrites web.base.url."""
        self.tw.delivery = "delivered"
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "sent")
        callback = self.tw.messages[0]["StatusCallback"]
        self.assertEqual(callback, f"{self.base_url()}{STATUS}/{message.id}")
        self.env["ir.config_parameter"].set_param("web.base.url", "http://10.1.2.3:8069")
        self.wait_callbacks()
        self.assertEqual(message.state, "delivered")
        # what is sent from now on still names the webhook URL
        self.tw.delivery = None
        _event, later = self.book()
        self.dispatch()
        self.assertEqual(
            self.tw.messages[-1]["StatusCallback"], f"{self.base_url()}{STATUS}/{later.id}"
        )
        self.assertEqual(self.inbound("STOP")[0], 200)
        self.assertFalse(self.customer.notify_consent_sms)

    def test_refused_signature_names_the_expected_url(self):
        self.env["ir.config_parameter"].set_param(
            "appointment_notify_sms.webhook_url", "https://booking.example.com/"
        )
        with self.assertLogs(CONTROLLER_LOG, "WARNING") as logs:
            status, _text = self.inbound("STOP")
        self.assertEqual(status, 403)
        self.assertTrue(self.customer.notify_consent_sms)
        self.assertIn(f"https://booking.example.com{INBOUND}", "\n".join(logs.output))

    def test_webhook_url_in_settings(self):
        base = self.env["ir.config_parameter"].get_param("web.base.url")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.notify_sms_webhook_url, base)
        self.assertEqual(settings.notify_sms_webhook_inbound, f"{base}{INBOUND}")
        settings.notify_sms_webhook_url = "https://booking.example.com/"
        self.assertEqual(
            settings.notify_sms_webhook_inbound, f"https://booking.example.com{INBOUND}"
        )
        settings.execute()
        self.assertEqual(
            self.env["res.company"]._notify_twilio_webhook_url(), "https://booking.example.com"
        )
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(
            self.tw.messages[-1]["StatusCallback"],
            f"https://booking.example.com{STATUS}/{message.id}",
        )

    def test_stop_from_an_unknown_or_invalid_number(self):
        """Logged, blacklisted if it is a number at all, never an error for Twilio."""
        self.assertEqual(self.inbound("STOP", from_="+31611119999")[0], 200)
        self.assertTrue(self.blacklisted("+31611119999"))
        self.assertEqual(self.received(from_number="+31611119999").partner_ids.ids, [])
        self.assertEqual(self.inbound("STOP", from_="SALON")[0], 200)
        self.assertEqual(self.received(from_number="SALON").kind, "opt_out")
        self.assertTrue(self.customer.notify_consent_sms)
