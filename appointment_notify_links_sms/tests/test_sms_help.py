from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.appointment_notify_booking.tests.common import BookingCase, local
from odoo.addons.appointment_notify_links.tests.test_manage_links import booking_day
from odoo.addons.appointment_notify_sms.tests.common import SmsCase

# Numbers of these customers only (the demo data shares the common test numbers).
NL_MOBILE = "+31611122233"
NL_MOBILE2 = "+31613579246"


@tagged("post_install", "-at_install", "appointment_notify_links_sms")
class TestSmsHelp(SmsCase, BookingCase):
    """Texts we do not understand get "reply 1 to confirm ... or use <link>", once an hour."""

    def setUp(self):
        super().setUp()
        self.Inbound = self.env["appointment.notify.sms.inbound"]
        self.customer.phone = NL_MOBILE
        self.customer2.write({"phone": NL_MOBILE2, "country_id": self.env.ref("base.nl").id})
        self.event = self.service._book(
            self.customer, local(f"{booking_day()} 10:00"), staff=self.anna
        )
        self.sids = iter(f"SM{n:032d}" for n in range(1, 100))

    def reply(self, body, number=NL_MOBILE):
        return self.Inbound._process_twilio(
            self.company, {"MessageSid": next(self.sids), "From": number, "Body": body}
        )

    def help_messages(self):
        return self.Message.search([("sms_reply", "=", "help")], order="id")

    def test_help_text_once_per_hour_then_1_confirms(self):
        first = self.reply("What time was it again?")
        self.assertEqual(first.kind, "text")
        self.assertTrue(first.help_message_id)
        self.assertEqual(first.event_id, self.event)
        second = self.reply("Hello??")
        self.assertFalse(second.help_message_id)
        self.assertEqual(len(self.help_messages()), 1)
        self.dispatch()
        (sent,) = self.tw.messages
        self.assertEqual(sent["To"], NL_MOBILE)
        url = self.event._notify_manage_url(self.customer)
        when = self.event._notify_render_context(self.customer)["when"]
        self.assertEqual(
            sent["Body"],
            f"{self.company.name}: reply 1 to confirm your appointment on {when}, or use {url}",
        )
        # "1" still confirms, once, and gets no help text.
        confirm = self.reply("1")
        self.assertEqual(confirm.kind, "confirm")
        attendee = self.event.attendee_ids.filtered(lambda a: a.partner_id == self.customer)
        self.assertEqual(attendee.state, "accepted")
        self.assertFalse(confirm.help_message_id)
        self.assertEqual(len(self.help_messages()), 1)
        # An hour later, the next unknown text gets help again.
        self.env.cr.execute(
            SQL(
                "UPDATE appointment_notify_message SET create_date = create_date - %s "
                "WHERE id = %s",
                timedelta(minutes=61),
                first.help_message_id.id,
            )
        )
        self.assertTrue(self.reply("thanks").help_message_id)
        self.assertEqual(len(self.help_messages()), 2)

    def test_stop_wins(self):
        inbound = self.reply("STOP")
        self.assertEqual(inbound.kind, "opt_out")
        self.assertFalse(self.customer.notify_consent_sms)
        self.assertFalse(self.help_messages())

    def test_no_upcoming_appointment_no_help(self):
        inbound = self.reply("Hello", number=NL_MOBILE2)
        self.assertEqual(inbound.partner_ids, self.customer2)
        self.assertFalse(inbound.help_message_id)
        self.event.action_notify_cancel()
        self.assertFalse(self.reply("Hello").help_message_id)
        self.assertFalse(self.help_messages())

    def test_without_a_link_the_help_gives_the_phone(self):
        self.event.action_notify_cancel()
        plain = self.make_event()
        self.reply("?")
        (message,) = self.help_messages()
        self.assertEqual(message._get_record(), plain)
        self.assertIn("reply 1 to confirm", message.body)
        self.assertIn(f"or call us on {self.company.phone}.", message.body)

    def render_reminder(self):
        template = self.env.ref("appointment_notify_sms.sms_template_event_reminder")
        ctx = self.event._notify_render_context(self.customer)
        return template._render_field("body", self.event.ids, add_context=ctx)[self.event.id]

    def test_reminder_asks_reply_1_only_from_a_number(self):
        self.assertIn("Reply 1 to confirm.", self.render_reminder())
        self.assertIn(self.event._notify_manage_url(self.customer), self.render_reminder())
        self.company.write(
            {"notify_sms_sender_type": "alphanumeric", "notify_sms_alphanumeric_sender": "Salon"}
        )
        self.assertNotIn("Reply 1", self.render_reminder())
        self.company.notify_sms_sender_type = "service"
        self.assertNotIn("Reply 1", self.render_reminder())
