from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.appointment_notify_sms.tests.common import NL_MOBILE, NL_MOBILE2, TR_MOBILE

from .common import WA_FROM, WhatsappCase, content_sid


@tagged("post_install", "-at_install", "appointment_notify_whatsapp")
class TestWhatsappSend(WhatsappCase):
    def test_template_sent_with_content_sid_and_variables(self):
        event, message = self.book_wa()
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        (sent,) = self.wa_sent()
        template = self.template("confirmed")
        self.assertEqual(sent["To"], f"whatsapp:{NL_MOBILE}")
        self.assertEqual(sent["From"], f"whatsapp:{WA_FROM}")
        self.assertEqual(sent["ContentSid"], content_sid(template))
        self.assertNotIn("Body", sent)
        when = event._notify_render_context(self.customer)["when"]
        # Further variables may follow (the self-service link's, another addon's).
        self.assertEqual(
            {n: v for n, v in self.variables(sent).items() if int(n) <= 5},
            {
                "1": "Ayla Customer",
                "2": self.company.name,
                "3": when,
                "4": self.company.phone,
                "5": str(message.id),  # the buttons' payload: confirm:<id> / cancel:<id>
            },
        )
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        self.assertEqual(
            sent["StatusCallback"], f"{base}/appointment_notify_whatsapp/status/{message.id}"
        )
        self.assertEqual(message.provider_ref, sent["sid"])
        self.assertEqual(message.whatsapp_template_id, template)
        self.assertIn(f"Hello Ayla Customer, your appointment at {self.company.name}", message.body)
        self.assertIn(f"WhatsApp sent to {NL_MOBILE}", event.message_ids[0].body)

    def test_template_per_language(self):
        """The customer's language, else the company's, else English."""
        for code in ("tr_TR", "nl_NL", "de_DE", "fr_FR"):
            self.env["res.lang"]._activate_lang(code)
        turk = self.env["res.partner"].create(
            {
                "name": "Deniz Turk",
                "phone": "0532 123 45 67",
                "country_id": self.env.ref("base.tr").id,
                "lang": "tr_TR",
                "notify_consent_whatsapp": True,
            }
        )
        self.customer2.lang = "de_DE"  # no German template: the company's Dutch one
        self.company.partner_id.lang = "nl_NL"
        _event, messages = self.book_wa(partners=turk | self.customer2)
        self.dispatch()
        by_to = {m["To"]: m for m in self.wa_sent()}
        self.assertEqual(
            by_to[f"whatsapp:{TR_MOBILE}"]["ContentSid"],
            content_sid(self.template("confirmed", "tr")),
        )
        self.assertEqual(
            by_to[f"whatsapp:{NL_MOBILE2}"]["ContentSid"],
            content_sid(self.template("confirmed", "nl")),
        )
        turkish = messages.filtered(lambda m: m.partner_id == turk)
        self.assertIn("randevunuz onaylandı", turkish.body)
        # neither the customer's nor the company's language: English
        self.company.partner_id.lang = "fr_FR"
        _event, message = self.book_wa(partners=self.customer2)
        self.dispatch()
        self.assertEqual(message.whatsapp_template_id, self.template("confirmed", "en"))

    def test_free_text_inside_window_template_outside(self):
        """Without an approved template, free text goes only to who wrote within 24 h."""
        self.template("confirmed").content_sid = False
        self.open_window(self.customer, hours_ago=23)
        self.customer2.notify_whatsapp_last_inbound = fields.Datetime.now() - timedelta(hours=25)
        _event, messages = self.book_wa(partners=self.customer | self.customer2)
        self.dispatch()
        inside = messages.filtered(lambda m: m.partner_id == self.customer)
        outside = messages - inside
        self.assertEqual(inside.state, "sent", inside.reason)
        (sent,) = self.wa_sent()
        self.assertEqual(sent["Body"], inside.body)
        self.assertNotIn("ContentSid", sent)
        self.assertEqual(outside.state, "failed")
        self.assertIn("not approved yet (no ContentSid)", outside.reason)
        # with the ContentSid pasted, the template goes out whatever the window
        self.template("confirmed").content_sid = content_sid(self.template("confirmed"))
        outside.action_retry()
        self.dispatch()
        self.assertEqual(outside.state, "sent", outside.reason)
        self.assertIn("ContentSid", self.wa_sent()[-1])

    def test_63014_turns_consent_off(self):
        self.tw.fail_numbers[NL_MOBILE] = 63014
        _event, message = self.book_wa()
        self.dispatch()
        self.assertEqual(message.state, "failed")
        self.assertIn("63014", message.reason)
        self.assertFalse(self.customer.notify_consent_whatsapp)
        self.assertEqual(self.customer.notify_consent_whatsapp_source, "Twilio 63014")
        _event, later = self.book_wa()
        self.dispatch()
        self.assertEqual(later.state, "skipped")
        self.assertEqual(later.reason, "No consent for whatsapp.")

    def test_429_and_63018_back_off(self):
        for fault in ("429", 63018):
            with self.subTest(fault=fault):
                self.tw.reset()
                if fault == "429":
                    self.tw.inject_faults(rate=1.0, kinds=("429",))
                else:
                    self.tw.fail_numbers[NL_MOBILE] = 63018
                _event, message = self.book_wa()
                before = fields.Datetime.now()
                self.dispatch()
                self.assertEqual(message.state, "scheduled")
                self.assertIn("retrying", message.reason)
                delay = (message.next_attempt_at - before).total_seconds()
                self.assertTrue(290 <= delay <= 310, delay)
                self.tw.clear_faults()
                self.tw.fail_numbers.clear()
                message.next_attempt_at = fields.Datetime.now()
                self.dispatch()
                self.assertEqual(message.state, "sent")
                self.assertEqual(message.attempts, 2)

    def test_test_mode_without_account(self):
        self.company.sms_twilio_account_sid = False
        event, message = self.book_wa()
        self.dispatch()
        self.assertEqual(message.state, "sent")
        self.assertTrue(message.test_mode)
        self.assertIn("Hello Ayla Customer", message.body)
        self.assertFalse(self.tw.messages)
        self.assertIn(f"Test mode: WhatsApp to {NL_MOBILE} not sent", event.message_ids[0].body)

    def test_no_consent_or_sender(self):
        self.customer.notify_consent_whatsapp = False
        _event, message = self.book_wa()
        self.dispatch()
        self.assertEqual(message.state, "skipped")
        self.assertEqual(message.reason, "No consent for whatsapp.")
        self.customer.notify_consent_whatsapp = True
        self.company.notify_whatsapp_from_number = False
        _event, message = self.book_wa()
        self.dispatch()
        self.assertEqual(message.state, "failed")
        self.assertIn("No WhatsApp sender is set", message.reason)
        self.assertFalse(self.tw.messages)

    def test_messaging_service_sender(self):
        service = "MG" + "1" * 32
        self.company.write(
            {
                "notify_whatsapp_sender_type": "service",
                "notify_whatsapp_messaging_service_sid": service,
            }
        )
        _event, message = self.book_wa()
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(self.wa_sent()[0]["MessagingServiceSid"], service)
        self.assertNotIn("From", self.wa_sent()[0])
        with self.assertRaises(ValidationError):
            self.company.notify_whatsapp_from_number = "whatsapp:12"

    def test_send_a_test_to_typed_number(self):
        rule = self.make_wa_rule("reminder")
        event = self.make_event(partners=self.customer2)
        wizard = self.env["appointment.notify.rule.test"].create(
            {
                "rule_id": rule.id,
                "record_ref": f"calendar.event,{event.id}",
                "destination": "06 1234 5678",
            }
        )
        message = self.Message.browse(wizard.action_send()["res_id"])
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(self.wa_sent()[0]["To"], f"whatsapp:{NL_MOBILE}")
