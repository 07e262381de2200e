from odoo.tests import tagged

from odoo.addons.appointment_notify_sms.tests.common import NL_MOBILE

from .common import WhatsappCase


@tagged("post_install", "-at_install", "appointment_notify_whatsapp")
class TestWhatsappFallback(WhatsappCase):
    def fallback_rule(self, channel, trigger="confirmed", **values):
        return self.make_wa_rule(
            trigger,
            fallback_channel=channel,
            sms_template_id=self.env.ref(f"appointment_notify_sms.sms_template_event_{trigger}").id,
            mail_template_id=self.env.ref(f"appointment_notify.mail_template_event_{trigger}").id,
            **values,
        )

    def test_63016_falls_back_to_sms(self):
        """Free text refused outside the window (63016): the SMS goes out instead, once."""
        self.fallback_rule("sms")
        self.template("confirmed").content_sid = False
        self.open_window(self.customer, hours_ago=1)  # we think the window is open
        # Twilio says it is not (keyed on the WhatsApp address: SMS to it still works)
        self.tw.fail_numbers[f"whatsapp:{NL_MOBILE}"] = 63016
        event, whatsapp = self.book_wa()
        self.dispatch()
        self.assertEqual(whatsapp.state, "failed")
        self.assertIn("63016", whatsapp.reason)
        sms = whatsapp.fallback_message_ids
        self.assertEqual(len(sms), 1)
        self.assertIn(f"Sent by SMS instead (message #{sms.id})", whatsapp.reason)
        self.assertEqual(sms.channel, "sms")
        self.assertEqual(sms.occurrence, f"fallback:{whatsapp.occurrence}")
        self.assertEqual((sms.rule_id, sms.partner_id), (whatsapp.rule_id, self.customer))
        # the same dispatcher run sent it: 63016 never applies to SMS
        self.assertEqual(sms.state, "sent", sms.reason)
        self.assertEqual(self.tw.received_by_to(), {NL_MOBILE: 1})
        self.assertIn(self.company.phone, self.tw.messages[0]["Body"])
        # the record's log shows both attempts
        notes = event.message_ids.mapped("body")
        self.assertTrue(any("WhatsApp to" in n and "63016" in n for n in notes), notes)
        self.assertTrue(any(f"SMS sent to {NL_MOBILE}" in n for n in notes), notes)
        self.assertEqual(len(self.messages(event)), 2)

    def test_unapproved_template_outside_window_falls_back(self):
        self.fallback_rule("sms")
        self.template("confirmed").content_sid = False
        _event, whatsapp = self.book_wa()
        self.dispatch()
        self.assertEqual(whatsapp.state, "failed")
        self.assertIn("no ContentSid", whatsapp.reason)
        self.assertEqual(whatsapp.fallback_message_ids.state, "sent")
        self.assertFalse(self.wa_sent())

    def test_63003_falls_back_to_email_without_sms_sender(self):
        """No SMS sender configured: the e-mail of the rule is used."""
        self.fallback_rule("sms")
        self.company.notify_sms_from_number = False
        self.tw.fail_numbers[NL_MOBILE] = 63003
        event, whatsapp = self.book_wa()
        self.dispatch()
        self.assertEqual(whatsapp.state, "failed")
        self.assertIn("not on WhatsApp", whatsapp.reason)
        email = whatsapp.fallback_message_ids
        self.assertEqual(email.channel, "email")
        self.assertEqual(email.state, "sent", email.reason)
        self.assertEqual(email.destination, "ayla@example.com")
        self.assertIn(f"Sent by E-mail instead (message #{email.id})", whatsapp.reason)
        self.assertTrue(email.mail_message_id)
        self.assertEqual(email.mail_message_id.res_id, event.id)

    def test_63024_falls_back_to_email_rule(self):
        self.fallback_rule("email")
        self.tw.fail_numbers[NL_MOBILE] = 63024
        _event, whatsapp = self.book_wa()
        self.dispatch()
        self.assertIn("not a valid WhatsApp recipient", whatsapp.reason)
        self.assertEqual(whatsapp.fallback_message_ids.channel, "email")
        self.assertEqual(whatsapp.fallback_message_ids.state, "sent")

    def test_fallback_happens_once(self):
        """The SMS fallback fails too: it does not fall back again, and no third try."""
        self.fallback_rule("sms")
        self.tw.fail_numbers[NL_MOBILE] = 63003  # the fake refuses SMS to it as well
        event, whatsapp = self.book_wa()
        self.dispatch()
        sms = whatsapp.fallback_message_ids
        self.assertEqual(sms.state, "failed")
        self.assertFalse(sms.fallback_message_ids)
        self.assertEqual(len(self.messages(event)), 2)
        # a late failure callback for the WhatsApp message plans nothing more
        whatsapp._whatsapp_after_failure(63003)
        self.assertEqual(len(self.messages(event)), 2)
        self.assertFalse(self.tw.messages)

    def test_no_fallback_channel(self):
        self.make_wa_rule("confirmed")
        self.tw.fail_numbers[NL_MOBILE] = 63003
        event, whatsapp = self.book_wa()
        self.dispatch()
        self.assertEqual(whatsapp.state, "failed")
        self.assertEqual(len(self.messages(event)), 1)
