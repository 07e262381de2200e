from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.appointment_notify_sms.tests.common import NL_MOBILE, SmsCase


@tagged("post_install", "-at_install", "appointment_notify_links_sms")
class TestSmsConfirm(SmsCase):
    """Twilio's inbound webhook, after its signature check: the model's entry point."""

    def setUp(self):
        super().setUp()
        self.Inbound = self.env["appointment.notify.sms.inbound"]
        self.company.notify_manual_confirmation = True
        now = fields.Datetime.now()
        self.past = self.make_event(start=now - timedelta(days=1))
        self.next = self.make_event(start=now + timedelta(days=1))
        self.later = self.make_event(start=now + timedelta(days=5))
        self.make_rule("confirmed")
        self.consent = (self.customer.notify_consent_sms, self.customer.notify_consent_sms_date)

    def reply(self, body, sid="SM" + "1" * 32):
        return self.Inbound._process_twilio(
            self.company, {"MessageSid": sid, "From": NL_MOBILE, "Body": body}
        )

    def attending(self, event):
        return event.attendee_ids.filtered(lambda a: a.partner_id == self.customer).state

    def test_reply_1_confirms_the_next_appointment_once(self):
        self.assertEqual(self.next.booking_state, "awaiting")
        inbound = self.reply(" 1 ")
        self.assertEqual(inbound.kind, "confirm")
        self.assertEqual(inbound.event_id, self.next)
        self.assertEqual(self.attending(self.next), "accepted")
        self.assertNotEqual(self.attending(self.later), "accepted")
        # Attendance, not acceptance: the booking still waits for staff.
        self.assertEqual(
            (self.past | self.next | self.later).mapped("booking_state"), ["awaiting"] * 3
        )
        self.assertFalse(self.messages(self.next, trigger="confirmed"))
        note = self.next.message_ids.filtered(lambda m: "By SMS reply" in (m.body or ""))
        self.assertEqual(note.author_id, self.customer)
        # Twilio delivers the same webhook again: nothing more happens.
        self.assertFalse(self.reply("1"))
        self.assertNotEqual(self.attending(self.later), "accepted")
        consent = (self.customer.notify_consent_sms, self.customer.notify_consent_sms_date)
        self.assertEqual(consent, self.consent)

    def test_other_text_confirms_nothing(self):
        inbound = self.reply("12")
        self.assertEqual(inbound.kind, "text")
        self.assertEqual(self.next.booking_state, "awaiting")

    def test_cancelled_appointment_is_skipped(self):
        self.next.action_notify_cancel()
        # Everyone with this number (a family sharing a phone): their next appointment.
        partners = self.env["res.partner"]._notify_sms_find_by_number(NL_MOBILE, self.company)
        expected = self.Event.search(
            [
                ("partner_ids", "in", partners.ids),
                ("start", ">", fields.Datetime.now()),
                ("booking_state", "in", ("awaiting", "confirmed")),
            ],
            order="start, id",
            limit=1,
        )
        self.assertNotEqual(expected, self.next)
        self.assertEqual(self.reply("1").event_id, expected)
        self.assertEqual(self.next.booking_state, "cancelled")
        family = expected.attendee_ids.filtered(lambda a: a.partner_id in partners)
        self.assertEqual(family.mapped("state"), ["accepted"])
