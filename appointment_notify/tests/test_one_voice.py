"""One voice to the customer: Odoo's calendar mails and alarms stay with staff,
our confirmation, new-time and cancellation e-mails carry the .ics."""

import base64
from datetime import datetime, timedelta
from unittest.mock import patch

import vobject

from odoo.tests import freeze_time, tagged

from .common import NOW, NotifyCase


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify")
class TestOneVoice(NotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("calendar.block_mail", False)
        cls.company.notify_calendar_invitations = False
        cls.customer.phone = "+31 6 1234 5678"
        cls.staff.partner_id.phone = "+31 6 8765 4321"

    def calendar_mails(self, event, partner, template_xmlid):
        """Odoo's e-mails from ``template_xmlid`` about ``event`` to ``partner``."""
        subject = self.env.ref(template_xmlid)._render_field("subject", event.attendee_ids[:1].ids)
        messages = self.env["mail.message"].search(
            [
                ("model", "=", "calendar.event"),
                ("res_id", "=", event.id),
                ("partner_ids", "in", partner.ids),
                ("subject", "=", next(iter(subject.values()))),
            ]
        )
        return messages.mail_ids

    def book(self, **values):
        return self.make_event(
            start=datetime(2026, 3, 4, 9, 0),
            partners=self.customer | self.staff.partner_id,
            **values,
        )

    # ------------------------------------------------------------------
    # Odoo's attendee e-mails
    # ------------------------------------------------------------------

    def test_invitation_reaches_staff_not_customer(self):
        event = self.book()
        invitation = "calendar.calendar_template_meeting_invitation"
        self.assertTrue(self.calendar_mails(event, self.staff.partner_id, invitation))
        self.assertFalse(self.calendar_mails(event, self.customer, invitation))

        event.write({"partner_ids": [(4, self.customer2.id)]})
        self.assertFalse(self.calendar_mails(event, self.customer2, invitation), "added later")

    def test_date_change_reaches_staff_not_customer(self):
        event = self.book()
        event.write(
            {"start": event.start + timedelta(hours=2), "stop": event.stop + timedelta(hours=2)}
        )
        changed = "calendar.calendar_template_meeting_changedate"
        self.assertTrue(self.calendar_mails(event, self.staff.partner_id, changed))
        self.assertFalse(self.calendar_mails(event, self.customer, changed))

    def test_setting_keeps_invitations_and_drops_our_ics(self):
        self.company.notify_calendar_invitations = True
        event = self.book()
        invitation = "calendar.calendar_template_meeting_invitation"
        mail = self.calendar_mails(event, self.customer, invitation)
        self.assertTrue(mail, "the company chose Odoo's invitations for customers")
        self.assertIn("invitation.ics", mail.attachment_ids.mapped("name"))
        event.write(
            {"start": event.start + timedelta(hours=2), "stop": event.stop + timedelta(hours=2)}
        )
        changed = "calendar.calendar_template_meeting_changedate"
        self.assertTrue(self.calendar_mails(event, self.customer, changed))
        self.assertFalse(
            event._notify_attachments(self.customer, "confirmed"),
            "one calendar entry: Odoo's invitation carries the .ics",
        )

    def test_delete_and_send_reaches_staff_not_customer(self):
        event = self.book()
        template = self.env.ref("calendar.calendar_template_delete_event")
        wizard = (
            self.env["calendar.popover.delete.wizard"]
            .with_context(default_template_id=template.id, default_calendar_event_id=event.id)
            .create({})
        )
        self.assertIn(self.staff.partner_id, wizard.recipient_ids)
        self.assertNotIn(self.customer, wizard.recipient_ids, "staff see who gets it")
        # Deleting the event deletes its e-mails: catch them as they are created.
        recipients = []
        MailMail = self.registry["mail.mail"]
        create = MailMail.create

        def catching_create(model, vals_list):
            mails = create(model, vals_list)
            recipients.extend(mails.recipient_ids.ids)
            return mails

        with patch.object(MailMail, "create", catching_create):
            wizard.action_send_mail_and_delete()
        self.assertIn(self.staff.partner_id.id, recipients, "calendar's e-mail still goes out")
        self.assertNotIn(self.customer.id, recipients, "our cancellation tells the customer")
        self.assertFalse(event.exists())

    # ------------------------------------------------------------------
    # calendar.alarm reminders: e-mail and SMS (calendar_sms)
    # ------------------------------------------------------------------

    def make_alarm(self, alarm_type):
        return self.env["calendar.alarm"].create(
            {
                "name": f"1h {alarm_type}",
                "alarm_type": alarm_type,
                "duration": 1,
                "interval": "hours",
            }
        )

    def test_email_alarm_reaches_staff_not_customer(self):
        # The setting keeps invitations only: reminders are the rules' job.
        self.company.notify_calendar_invitations = True
        alarm = self.make_alarm("email")
        event = self.make_event(
            start=datetime(2026, 3, 2, 8, 30),
            partners=self.customer | self.staff.partner_id,
            alarm_ids=[(6, 0, alarm.ids)],
        )
        self.env["calendar.alarm_manager"]._send_reminder()
        reminder = "calendar.calendar_template_meeting_reminder"
        self.assertEqual(alarm.mail_template_id, self.env.ref(reminder))
        self.assertTrue(
            self.calendar_mails(event, self.staff.partner_id, reminder), "staff keep it"
        )
        self.assertFalse(self.calendar_mails(event, self.customer, reminder))

    def test_sms_alarm_reaches_staff_not_customer(self):
        if "sms" not in self.env["calendar.alarm"]._fields["alarm_type"].get_values(self.env):
            self.skipTest("calendar_sms is not installed")
        alarm = self.make_alarm("sms")
        event = self.make_event(
            start=datetime(2026, 3, 2, 8, 30),
            partners=self.customer | self.staff.partner_id,
            alarm_ids=[(6, 0, alarm.ids)],
            user_id=self.env.ref("base.user_admin").id,
        )
        self.env["calendar.alarm_manager"]._send_reminder()
        notified = (
            self.env["mail.notification"]
            .search(
                [
                    ("mail_message_id.model", "=", "calendar.event"),
                    ("mail_message_id.res_id", "=", event.id),
                    ("notification_type", "=", "sms"),
                ]
            )
            .res_partner_id
        )
        self.assertIn(self.staff.partner_id, notified, "staff keep Odoo's SMS reminder")
        self.assertNotIn(self.customer, notified)

    # ------------------------------------------------------------------
    # our e-mails carry the .ics
    # ------------------------------------------------------------------

    def sent_ics(self, message):
        self.assertEqual(message.state, "sent", message.reason)
        files = message.mail_message_id.attachment_ids.filtered(
            lambda a: a.name == "invitation.ics"
        )
        self.assertEqual(len(files), 1, "one .ics")
        return vobject.readOne(base64.b64decode(files.datas).decode())

    def test_ics_follows_confirm_move_cancel(self):
        self.company.notify_manual_confirmation = True
        for trigger in ("awaiting", "confirmed", "rescheduled", "cancelled"):
            self.make_rule(trigger)
        event = self.book(location="Main street 1")
        self.dispatch()
        awaiting = self.messages(event, trigger="awaiting")
        self.assertEqual(awaiting.state, "sent", awaiting.reason)
        self.assertFalse(awaiting.mail_message_id.attachment_ids, "not booked yet: no .ics")

        event.action_notify_confirm()
        self.dispatch()
        ics = self.sent_ics(self.messages(event, trigger="confirmed"))
        self.assertEqual(ics.method.value, "REQUEST")
        uid = ics.vevent.uid.value
        self.assertEqual(ics.vevent.sequence.value, "0")
        start = ics.vevent.dtstart.value
        # 09:00 UTC is 10:00 in Amsterdam, the customer's time zone.
        self.assertEqual((start.hour, str(start.tzinfo)), (10, "Europe/Amsterdam"))
        self.assertEqual(ics.vevent.location.value, "Main street 1")
        self.assertEqual(
            [a.value for a in ics.vevent.attendee_list],
            ["mailto:ayla@example.com"],
            "the customer alone: other attendees' addresses stay private",
        )

        event.write({"start": datetime(2026, 3, 5, 14, 0), "stop": datetime(2026, 3, 5, 15, 0)})
        self.dispatch()
        ics = self.sent_ics(self.messages(event, trigger="rescheduled"))
        self.assertEqual((ics.method.value, ics.vevent.uid.value), ("REQUEST", uid))
        self.assertEqual(ics.vevent.sequence.value, "1")
        self.assertEqual(ics.vevent.dtstart.value.hour, 15)

        event.write({"name": "Haircut and colour"})  # not a new time: same revision
        event.action_notify_cancel()
        self.dispatch()
        ics = self.sent_ics(self.messages(event, trigger="cancelled"))
        self.assertEqual((ics.method.value, ics.vevent.uid.value), ("CANCEL", uid))
        self.assertEqual(ics.vevent.sequence.value, "2")
        self.assertEqual(ics.vevent.status.value, "CANCELLED")
