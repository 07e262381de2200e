import uuid
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.appointment_notify_sms.tests.common import (
    NL_MOBILE,
    NL_MOBILE2,
    TwilioCallbacksMixin,
)

from .common import AUTH_TOKEN, INBOUND, STATUS, WA_FROM, WhatsappCase, twilio_fake

CONTROLLER_LOG = "odoo.addons.appointment_notify_sms.controllers.main"
OTHER_ACCOUNT = "AC" + "0b" * 16
OTHER_TOKEN = "another-accounts-auth-token"


@tagged("post_install", "-at_install", "appointment_notify_whatsapp")
class TestWhatsappWebhooks(TwilioCallbacksMixin, WhatsappCase, HttpCase):
    def post_status(self, message, status, token=AUTH_TOKEN, **extra):
        url = self.base_url() + f"{STATUS}/{message.id}"
        params = {
            "AccountSid": self.tw.account_sid,
            "From": f"whatsapp:{WA_FROM}",
            "MessageSid": message.provider_ref,
            "MessageStatus": status,
            "To": f"whatsapp:{message.destination}",
            **extra,
        }
        signature = twilio_fake.twilio_signature(token, url, params)
        response = self.url_open(url, data=params, headers={"X-Twilio-Signature": signature})
        self.env.invalidate_all()
        return response

    def inbound(self, body, from_=NL_MOBILE, sid=None, auth_token=None, **extra):
        sid = sid or "SM" + uuid.uuid4().hex
        extra = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, **extra}
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            status, _text = self.tw.send_inbound(
                self.base_url() + INBOUND,
                from_=f"whatsapp:{from_}",
                to=f"whatsapp:{WA_FROM}",
                body=body,
                extra=extra,
                auth_token=auth_token,
            )
        self.env.invalidate_all()
        self.assertEqual(status, 200)
        return self.env["appointment.notify.whatsapp.inbound"].search([("message_sid", "=", sid)])

    def sent_reminder(self, **rule_values):
        """A reminder sent by WhatsApp about an appointment in 2 days; (event, message)."""
        rule = self.make_wa_rule("reminder", offset_amount=1, offset_unit="hours", **rule_values)
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = self.make_event(start=start)
        message = self.messages(event, rule_id=rule.id)
        message.next_attempt_at = fields.Datetime.now()
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        return event, message

    # ------------------------------------------------------------------
    # status callbacks
    # ------------------------------------------------------------------

    def test_status_callbacks_up_to_read(self):
        self.tw.delivery = "delivered"
        self.tw.read_status = True
        _event, message = self.book_wa()
        self.dispatch()
        self.wait_callbacks()
        statuses = [entry[1]["MessageStatus"] for entry in self.tw.callback_log]
        self.assertEqual(statuses, ["queued", "sent", "delivered", "read"])
        self.assertEqual(message.state, "delivered")
        self.assertTrue(message.whatsapp_read_at)

    @mute_logger(CONTROLLER_LOG)
    def test_forged_callbacks_refused(self):
        _event, message = self.book_wa()
        self.dispatch()
        for status in ("delivered", "read"):
            response = self.post_status(message, status, token="not-the-token")
            self.assertEqual(response.status_code, 403)
        unsigned = self.url_open(
            self.base_url() + f"{STATUS}/{message.id}",
            data={"AccountSid": self.tw.account_sid, "MessageStatus": "read"},
        )
        self.assertEqual(unsigned.status_code, 403)
        self.env.invalidate_all()
        self.assertEqual(message.state, "sent")
        self.assertFalse(message.whatsapp_read_at)

    def test_undelivered_callback_falls_back_once(self):
        self.make_wa_rule(
            "confirmed",
            fallback_channel="sms",
            sms_template_id=self.env.ref("appointment_notify_sms.sms_template_event_confirmed").id,
        )
        event, message = self.book_wa()
        self.dispatch()
        self.assertEqual(
            self.post_status(message, "undelivered", ErrorCode="63024").status_code, 200
        )
        self.assertEqual(message.state, "failed")
        self.assertIn("63024", message.reason)
        self.assertIn("Sent by SMS instead", message.reason)
        self.assertEqual(message.fallback_message_ids.state, "scheduled")
        self.post_status(message, "undelivered", ErrorCode="63024")
        self.assertEqual(len(self.messages(event)), 2)
        self.dispatch()
        self.assertEqual(message.fallback_message_ids.state, "sent")

    # ------------------------------------------------------------------
    # buttons
    # ------------------------------------------------------------------

    def test_confirm_button_payload(self):
        self.company.notify_manual_confirmation = True
        event, message = self.sent_reminder()
        self.assertEqual(event.booking_state, "awaiting")
        inbound = self.inbound(
            "Confirm", ButtonPayload=f"confirm:{message.id}", ButtonText="Confirm"
        )
        self.assertEqual(inbound.kind, "confirm")
        self.assertEqual(event.booking_state, "confirmed")
        notes = event.message_ids.mapped("body")
        self.assertTrue(any("confirmed by WhatsApp" in note for note in notes), notes)
        self.assertTrue(self.customer._notify_whatsapp_in_window())

    def test_cancel_button_text_and_original_message(self):
        """A localised button text, found through the message it answers."""
        self.env["res.lang"]._activate_lang("tr_TR")
        self.customer.lang = "tr_TR"
        event, message = self.sent_reminder()
        inbound = self.inbound(
            "İptal et", ButtonText="İptal et", OriginalRepliedMessageSid=message.provider_ref
        )
        self.assertEqual(inbound.kind, "cancel")
        self.assertEqual(event.booking_state, "cancelled")

    def test_cancel_refused_by_policy(self):
        """1 hour before the start (policy: 2 hours) the customer is told to call."""
        event, message = self.sent_reminder()
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=1)
        event.write({"start": start, "stop": start + timedelta(hours=1)})
        inbound = self.inbound("Cancel", ButtonPayload=f"cancel:{message.id}", ButtonText="Cancel")
        self.assertEqual(inbound.kind, "refused")
        self.assertEqual(event.booking_state, "confirmed")
        reply = inbound.reply_id
        self.assertEqual((reply.whatsapp_reply, reply.state), ("policy", "scheduled"))
        self.assertIn("can no longer be cancelled", reply.body)
        self.assertIn(self.company.phone, reply.body)
        self.assertFalse(self.wa_sent()[1:], "no Twilio call from the webhook")
        self.dispatch()
        self.assertEqual(reply.state, "sent", reply.reason)
        # The move also makes the 1-hour reminder due again; the dispatcher sends
        # both at once, in no fixed order: find the reply by its Twilio SID.
        (sent,) = [m for m in self.wa_sent() if m["sid"] == reply.provider_ref]
        self.assertEqual(sent["Body"], reply.body)
        self.assertNotIn("ContentSid", sent)

    def test_rule_policy_overrides_company(self):
        event, message = self.sent_reminder(whatsapp_cancel_min_hours=72)
        inbound = self.inbound("Cancel", ButtonPayload=f"cancel:{message.id}", ButtonText="Cancel")
        self.assertEqual(inbound.kind, "refused")
        self.assertIn("72 hours", inbound.reply_id.body)
        self.assertEqual(event.booking_state, "confirmed")

    def test_typed_cancel_is_an_opt_out_not_a_button(self):
        event, _message = self.sent_reminder()
        inbound = self.inbound("CANCEL")
        self.assertEqual(inbound.kind, "opt_out")
        self.assertEqual(event.booking_state, "confirmed")
        self.assertFalse(self.customer.notify_consent_whatsapp)

    def test_button_of_another_customer_ignored(self):
        """A known customer (Bram) sends a payload naming Ayla's reminder: no cancel."""
        self.customer2.phone = NL_MOBILE2
        event, message = self.sent_reminder()
        self.assertEqual(message.partner_id, self.customer)
        inbound = self.inbound(
            "Cancel", from_=NL_MOBILE2, ButtonPayload=f"cancel:{message.id}", ButtonText="Cancel"
        )
        self.assertEqual(inbound.partner_id, self.customer2)
        self.assertEqual(inbound.kind, "text")
        self.assertFalse(inbound.message_id)
        self.assertEqual(event.booking_state, "confirmed")

    def test_button_signed_by_another_company_ignored(self):
        """Another company's Twilio account cannot cancel this company's appointment.

        The customer is shared (no company) so the other account's webhook finds
        them; the message the payload names is not that company's.
        """
        self.env["res.company"].create(
            {
                "name": "Other salon",
                "country_id": self.env.ref("base.nl").id,
                "sms_twilio_account_sid": OTHER_ACCOUNT,
                "sms_twilio_auth_token": OTHER_TOKEN,
            }
        )
        event, message = self.sent_reminder()
        inbound = self.inbound(
            "Cancel",
            ButtonPayload=f"cancel:{message.id}",
            ButtonText="Cancel",
            OriginalRepliedMessageSid=message.provider_ref,
            AccountSid=OTHER_ACCOUNT,
            auth_token=OTHER_TOKEN,
        )
        self.assertEqual(inbound.partner_id, self.customer)
        self.assertEqual(inbound.company_id.name, "Other salon")
        self.assertNotEqual(inbound.kind, "cancel")
        self.assertEqual(event.booking_state, "confirmed")

    # ------------------------------------------------------------------
    # texts
    # ------------------------------------------------------------------

    def test_opt_out_and_opt_in(self):
        self.inbound(" stop ")
        self.assertFalse(self.customer.notify_consent_whatsapp)
        self.assertIn("WhatsApp reply STOP", self.customer.notify_consent_whatsapp_source)
        self.assertIn("WhatsApp consent turned off", self.customer.message_ids[0].body)
        self.assertTrue(self.customer.notify_consent_sms, "SMS consent is another matter")
        self.inbound("START")
        self.assertTrue(self.customer.notify_consent_whatsapp)
        self.assertFalse(self.Message.search([("whatsapp_reply", "!=", False)]))

    def test_auto_reply_and_chatter(self):
        event, _message = self.sent_reminder()
        inbound = self.inbound("Can I come at 11 instead?")
        self.assertEqual(inbound.kind, "text")
        self.assertTrue(self.customer._notify_whatsapp_in_window())
        note = self.customer.message_ids[0]
        self.assertIn("Can I come at 11 instead?", note.body)
        self.assertEqual(note.author_id, self.customer)
        self.assertIn("Can I come at 11 instead?", event.message_ids[0].body)
        reply = inbound.reply_id
        self.assertEqual(reply.whatsapp_reply, "auto")
        self.assertEqual(
            reply.body,
            f"This number does not take messages. Please contact {self.company.name} at "
            f"{self.company.phone} or {self.company.email}.",
        )
        self.dispatch()
        self.assertEqual(reply.state, "sent", reply.reason)
        self.assertEqual(self.wa_sent()[-1]["Body"], reply.body)
        self.assertEqual(self.wa_sent()[-1]["To"], f"whatsapp:{NL_MOBILE}")
        # a second text within the hour: shown to staff, no second auto-reply
        again = self.inbound("Hello?")
        self.assertEqual(again.kind, "text")
        self.assertFalse(again.reply_id)

    def test_custom_auto_reply(self):
        self.company.notify_whatsapp_auto_reply = "Please call us, we do not read WhatsApp."
        inbound = self.inbound("Hi")
        self.assertEqual(inbound.reply_id.body, "Please call us, we do not read WhatsApp.")
        self.assertEqual(inbound.reply_id.res_model, "res.partner")

    def test_same_message_sid_acts_once(self):
        sid = "SM" + "d" * 32
        first = self.inbound("Is parking available?", sid=sid)
        notes = len(self.customer.message_ids)
        second = self.inbound("Is parking available?", sid=sid)
        self.assertEqual(first, second)
        self.assertEqual(len(self.customer.message_ids), notes)
        self.assertEqual(self.Message.search_count([("whatsapp_reply", "=", "auto")]), 1)

    @mute_logger(CONTROLLER_LOG)
    def test_forged_inbound_refused(self):
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            status, _text = self.tw.send_inbound(
                self.base_url() + INBOUND,
                from_=f"whatsapp:{NL_MOBILE}",
                to=f"whatsapp:{WA_FROM}",
                body="STOP",
                auth_token="forged",
            )
        self.env.invalidate_all()
        self.assertEqual(status, 403)
        self.assertTrue(self.customer.notify_consent_whatsapp)
        self.assertFalse(self.env["appointment.notify.whatsapp.inbound"].search([]))
