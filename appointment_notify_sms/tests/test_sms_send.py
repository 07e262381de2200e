import itertools
import time
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import FROM_NUMBER, NL_MOBILE, NL_MOBILE2, TR_MOBILE, SmsCase


@tagged("post_install", "-at_install", "appointment_notify_sms")
class TestSmsSend(SmsCase):
    def test_e164_with_country_fallback(self):
        """The customer's country, else the company's, turns a local number into E.164."""
        turk = self.env["res.partner"].create(
            {
                "name": "Deniz Turk",
                "phone": "0532 123 45 67",
                "country_id": self.env.ref("base.tr").id,
                "notify_consent_sms": True,
            }
        )
        _event, messages = self.book(partners=self.customer | self.customer2 | turk)
        self.assertEqual(len(messages), 3)
        self.dispatch()
        by_partner = {m.partner_id: m for m in messages}
        self.assertEqual(by_partner[self.customer].destination, NL_MOBILE)
        self.assertEqual(by_partner[self.customer2].destination, NL_MOBILE2)  # company NL
        self.assertEqual(by_partner[turk].destination, TR_MOBILE)
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertEqual(self.tw.received_by_to(), {NL_MOBILE: 1, NL_MOBILE2: 1, TR_MOBILE: 1})

    def test_invalid_and_landline_numbers_fail(self):
        """A bad number fails at once, showing the number as the customer stored it."""
        self.customer.phone = "12 34"
        self.customer2.phone = "020 555 0100"  # Amsterdam landline
        _event, messages = self.book(partners=self.customer | self.customer2)
        self.dispatch()
        invalid, landline = messages
        self.assertEqual(invalid.state, "failed")
        self.assertIn("'12 34'", invalid.reason)
        self.assertIn("not a valid phone number", invalid.reason)
        self.assertEqual(landline.state, "failed")
        self.assertIn("'020 555 0100'", landline.reason)
        self.assertIn("landline", landline.reason)
        self.assertEqual(invalid.attempts, 1, "a bad number is not retried")
        self.assertFalse(self.tw.messages)

    def test_send_records_sid_and_form(self):
        """Twilio gets To, From, Body (with the note), StatusCallback and ValidityPeriod."""
        rule = self.make_sms_rule("reminder", offset_amount=200, offset_unit="minutes")
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=3)
        event = self.make_event(start=start, notify_customer_note="Bring your glasses.")
        message = self.messages(event, rule_id=rule.id)
        self.assertEqual(message.state, "scheduled")
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(len(self.tw.messages), 1)
        sent = self.tw.messages[0]
        self.assertEqual(message.provider_ref, sent["sid"])
        self.assertEqual(sent["To"], NL_MOBILE)
        self.assertEqual(sent["From"], FROM_NUMBER)
        self.assertNotIn("MessagingServiceSid", sent)
        self.assertIn(self.company.name, sent["Body"])
        self.assertIn(self.company.phone, sent["Body"])
        self.assertTrue(sent["Body"].endswith("\nBring your glasses."))
        self.assertEqual(sent["Body"], message.body)
        self.assertEqual(message.sms_segment_count, sent["num_segments"])
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        self.assertEqual(
            sent["StatusCallback"], f"{base}/appointment_notify_sms/status/{message.id}"
        )
        # 3 hours before the start: Twilio may hold it 3 hours at most (cap 4 h)
        self.assertTrue(10700 <= int(sent["ValidityPeriod"]) <= 10800, sent["ValidityPeriod"])
        self.assertIn("SMS sent to %s" % NL_MOBILE, event.message_ids[0].body)

    def test_validity_capped_and_service_sender(self):
        """A Messaging Service replaces From; far reminders get the 4 h cap, others none."""
        self.company.write(
            {
                "notify_sms_sender_type": "service",
                "notify_sms_messaging_service_sid": "MG" + "0" * 32,
            }
        )
        self.make_sms_rule("reminder", offset_amount=1, offset_unit="days")
        _event, messages = self.book()
        confirmed = messages.filtered(lambda m: m.trigger == "confirmed")
        reminder = messages.filtered(lambda m: m.trigger == "reminder")
        reminder.next_attempt_at = fields.Datetime.now()
        self.dispatch()
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        sent = {m["sid"]: m for m in self.tw.messages}
        first, second = sent[confirmed.provider_ref], sent[reminder.provider_ref]
        self.assertEqual(first["MessagingServiceSid"], "MG" + "0" * 32)
        self.assertNotIn("From", first)
        self.assertNotIn("ValidityPeriod", first)
        self.assertEqual(second["ValidityPeriod"], "14400")

    def test_error_codes_fail_at_once(self):
        for code, expected in (
            (21211, "not a valid phone number"),
            (21614, "not a mobile number"),
            (21608, "trial account"),
            (21612, "cannot reach"),
        ):
            with self.subTest(code=code):
                self.tw.reset()
                self.tw.fail_numbers[NL_MOBILE] = code
                _event, message = self.book()
                self.dispatch()
                self.assertEqual(message.state, "failed")
                self.assertEqual(message.attempts, 1)
                self.assertIn(str(code), message.reason)
                self.assertIn(expected, message.reason)
                self.assertTrue(self.customer.notify_consent_sms)

    def test_21610_turns_consent_off(self):
        self.tw.fail_numbers[NL_MOBILE] = 21610
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "failed")
        self.assertIn("21610", message.reason)
        self.assertFalse(self.customer.notify_consent_sms)
        self.assertEqual(self.customer.notify_consent_sms_source, "Twilio 21610 (STOP)")
        self.assertIn("Twilio 21610 (STOP)", self.customer.message_ids[0].body)
        # the next message is not even tried: no consent
        _event, later = self.book()
        self.dispatch()
        self.assertEqual(later.state, "skipped")
        self.assertEqual(later.reason, "No consent for sms.")
        self.assertEqual(len(self.tw.messages), 0)

    def test_401_admin_readable(self):
        self.company.sms_twilio_auth_token = "wrong-token"
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "failed")
        self.assertIn("20003", message.reason)
        self.assertIn("Account SID and Auth Token", message.reason)

    def test_429_and_500_retried_with_backoff(self):
        for kind in ("429", "500"):
            with self.subTest(kind=kind):
                self.tw.reset()
                self.tw.inject_faults(rate=1.0, kinds=(kind,))
                _event, message = self.book()
                before = fields.Datetime.now()
                self.dispatch()
                self.assertEqual(message.state, "scheduled")
                self.assertEqual(message.attempts, 1)
                self.assertIn("retrying", message.reason)
                # first retry after the core's 5 minutes
                delay = (message.next_attempt_at - before).total_seconds()
                self.assertTrue(290 <= delay <= 310, delay)
                self.tw.clear_faults()
                message.next_attempt_at = fields.Datetime.now()
                self.dispatch()
                self.assertEqual(message.state, "sent")
                self.assertEqual(message.attempts, 2)
                self.assertEqual(len(self.tw.messages), 1)

    @mute_logger("urllib3.connectionpool")
    def test_connection_error_retried(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "appointment_notify_sms.twilio_api_url", "http://127.0.0.1:9"
        )
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "scheduled")
        self.assertIn("could not be reached", message.reason)

    def test_test_mode_without_account(self):
        self.company.sms_twilio_account_sid = False
        event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "sent")
        self.assertTrue(message.test_mode)
        self.assertIn(self.company.name, message.body)
        self.assertEqual(message.destination, NL_MOBILE)
        self.assertFalse(self.tw.messages)
        self.assertIn("Test mode: SMS to %s not sent" % NL_MOBILE, event.message_ids[0].body)

    def test_no_consent_skipped(self):
        self.customer.notify_consent_sms = False
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "skipped")
        self.assertEqual(message.reason, "No consent for sms.")
        self.assertFalse(self.tw.messages)

    def test_send_a_test_normalises_typed_number(self):
        rule = self.make_sms_rule("confirmed")
        event = self.make_event(partners=self.customer2)
        self.messages(event).action_cancel()
        wizard = self.env["appointment.notify.rule.test"].create(
            {
                "rule_id": rule.id,
                "record_ref": f"calendar.event,{event.id}",
                "destination": " 06 1234 5678 ",
            }
        )
        action = wizard.action_send()
        message = self.Message.browse(action["res_id"])
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(message.destination, NL_MOBILE)
        self.assertEqual(self.tw.received_by_to(), {NL_MOBILE: 1})

    def test_rate_limit_per_sender(self):
        """5 messages at 10 per second take at least 0.4 s, spaced by about 0.1 s."""
        self.company.notify_sms_rate = 10
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Rate {i}",
                    "phone": f"+3161234560{i}",
                    "notify_consent_sms": True,
                }
                for i in range(5)
            ]
        )
        _event, messages = self.book(partners=partners)
        started = time.monotonic()
        self.dispatch()
        elapsed = time.monotonic() - started
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertGreaterEqual(elapsed, 0.4)
        stamps = sorted(m["timestamp"] for m in self.tw.messages)
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        self.assertTrue(all(gap >= 0.09 for gap in gaps), gaps)

    def test_turkish_customer_gets_turkish_text(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["appointment_notify_sms"], ["tr_TR"])
        self.customer.write(
            {"lang": "tr_TR", "country_id": self.env.ref("base.tr").id, "phone": "0532 123 45 67"}
        )
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertIn("randevunuz", message.body)
        self.assertIn("onaylandı", message.body)
        self.assertEqual(self.tw.messages[0]["To"], TR_MOBILE)
        # "ı" makes it Unicode: more than 70 characters are billed as 2 segments or more,
        # counted as Twilio counts them.
        self.assertGreater(len(message.body), 70)
        self.assertGreaterEqual(message.sms_segment_count, 2)
        self.assertEqual(message.sms_segment_count, self.tw.messages[0]["num_segments"])

    def test_sms_rule_needs_sms_template(self):
        with self.assertRaises(ValidationError):
            self.Rule.create(
                {
                    "name": "No template",
                    "trigger": "confirmed",
                    "channel": "sms",
                    "company_id": self.company.id,
                }
            )

    def test_sender_falls_back_to_twilio_numbers(self):
        """No own number: the account's Twilio number for the customer's country."""
        self.company.notify_sms_from_number = False
        self.env["sms.twilio.number"].create(
            [
                {
                    "company_id": self.company.id,
                    "number": "+15005550006",
                    "country_id": self.env.ref("base.us").id,
                },
                {
                    "company_id": self.company.id,
                    "number": "+3197010000099",
                    "country_id": self.env.ref("base.nl").id,
                    "sequence": 2,
                },
            ]
        )
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(self.tw.messages[0]["From"], "+3197010000099")

    def test_no_sender_fails_clearly(self):
        self.company.notify_sms_from_number = False
        _event, message = self.book()
        self.dispatch()
        self.assertEqual(message.state, "failed")
        self.assertIn("No SMS sender is set", message.reason)
        self.assertFalse(self.tw.messages)

    def test_sender_settings_validated(self):
        for vals in (
            {"notify_sms_from_number": "12"},
            {"notify_sms_messaging_service_sid": "XX123"},
            {"notify_sms_alphanumeric_sender": "A much too long sender"},
            {"notify_sms_rate": -1},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.company.write(vals)

    def test_settings_form_sets_sender(self):
        with Form(self.env["res.config.settings"]) as settings:
            settings.notify_sms_sender_type = "alphanumeric"
            settings.notify_sms_alphanumeric_sender = "SALON"
            settings.notify_sms_rate = 5
        settings.save().execute()
        self.assertEqual(self.company._notify_sms_sender(NL_MOBILE), {"From": "SALON"})
        self.assertEqual(self.company.notify_sms_rate, 5)
