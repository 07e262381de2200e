from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import AUTH_TOKEN, NL_MOBILE, SmsCase, TwilioCallbacksMixin, twilio_fake

STATUS = "/appointment_notify_sms/status"
INBOUND = "/appointment_notify_sms/inbound"


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
        # signed for another URL (replayed elsewhere): refused too
        url = self.base_url() + f"{STATUS}/{message.id + 1}"
        replay = self.url_open(
            url.replace(f"/{message.id + 1}", f"/{message.id}"),
            data=params,
            headers={"X-Twilio-Signature": twilio_fake.twilio_signature(AUTH_TOKEN, url, params)},
        )
        self.assertEqual(replay.status_code, 403)
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

    def inbound(self, body, from_=NL_MOBILE):
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            status, text = self.tw.send_inbound(
                self.base_url() + INBOUND, from_=from_, to="+3197010000001", body=body
            )
        self.env.invalidate_all()
        return status, text

    def test_inbound_stop_and_start(self):
        status, text = self.inbound("  stop ")
        self.assertEqual(status, 200)
        self.assertIn("<Response>", text)
        self.assertFalse(self.customer.notify_consent_sms)
        self.assertIn("SMS reply STOP", self.customer.notify_consent_sms_source)
        self.assertIn("SMS consent turned off", self.customer.message_ids[0].body)
        self.inbound("Start")
        self.assertTrue(self.customer.notify_consent_sms)
        self.assertIn("SMS reply START", self.customer.message_ids[0].body)
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
