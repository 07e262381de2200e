from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.appointment_notify.tests.common import ScreenshotTourMixin


@tagged("post_install", "-at_install", "appointment_notify_sms")
class TestTours(ScreenshotTourMixin, HttpCase):
    """An administrator and a receptionist use the product as they would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["appointment.notify.rule"].search([]).active = False
        cls.company = cls.env.company
        cls.company.write(
            {
                "notify_manual_confirmation": False,
                "notify_test_mode": False,
                "sms_twilio_account_sid": False,  # no account: SMS in test mode
                "phone": "+31 20 555 0100",
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Selin Kaya",
                "phone": "+31 6 11112222",
                "email": "selin@example.com",
                "notify_consent_sms": True,
                "notify_consent_email": True,
            }
        )

    def test_administrator(self):
        start = fields.Datetime.now() + timedelta(days=3)
        self.env["calendar.event"].create(
            {
                "name": "Colour",
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [(6, 0, self.customer.ids)],
            }
        )
        self.start_tour(
            "/odoo/action-appointment_notify.res_config_settings_action",
            "appointment_notify_admin_settings",
            login="admin",
        )
        self.assertTrue(self.company.notify_manual_confirmation)
        self.start_tour(
            "/odoo/action-appointment_notify.appointment_notify_rule_action/new",
            "appointment_notify_admin_rules",
            login="admin",
        )
        reminder = self.env["appointment.notify.rule"].search(
            [("name", "ilike", "Reminder 24 h before")]
        )
        self.assertEqual(
            (reminder.trigger, reminder.offset_amount, reminder.offset_unit, reminder.channel),
            ("reminder", 24, "hours", "sms"),
        )
        self.assertTrue(reminder.working_hours_only)
        followup = self.env["appointment.notify.rule"].search(
            [("name", "ilike", "Review request 2 h after")]
        )
        self.assertEqual((followup.trigger, followup.non_service), ("followup", True))
        test_message = self.env["appointment.notify.message"].search(
            [("rule_id", "=", reminder.id), ("is_test", "=", True)]
        )
        self.assertEqual(len(test_message), 1)
        self.env["appointment.notify.message"]._cron_dispatch()
        self.assertEqual(test_message.state, "sent")
        self.assertEqual(test_message.destination, "+31612345678")
        self.assertTrue(test_message.test_mode, "no Twilio account: test mode")
        self.start_tour(
            "/odoo/action-appointment_notify.appointment_notify_message_action",
            "appointment_notify_admin_messages",
            login="admin",
        )

    def test_receptionist(self):
        receptionist = new_test_user(
            self.env,
            login="an_receptionist",
            groups="base.group_user,appointment_notify.group_notify_user",
            name="Rita Reception",
            tz="Europe/Amsterdam",
        )
        rules = self.env["appointment.notify.rule"].create(
            [
                {
                    "name": "SMS reminder 1 h",
                    "trigger": "reminder",
                    "offset_amount": 1,
                    "offset_unit": "hours",
                    "channel": "sms",
                    "sms_template_id": self.env.ref(
                        "appointment_notify_sms.sms_template_event_reminder"
                    ).id,
                },
                {
                    "name": "SMS confirmed",
                    "trigger": "confirmed",
                    "channel": "sms",
                    "sms_template_id": self.env.ref(
                        "appointment_notify_sms.sms_template_event_confirmed"
                    ).id,
                },
                {
                    "name": "SMS new time",
                    "trigger": "rescheduled",
                    "channel": "sms",
                    "sms_template_id": self.env.ref(
                        "appointment_notify_sms.sms_template_event_rescheduled"
                    ).id,
                },
            ]
        )
        self.company.notify_manual_confirmation = True
        self.start_tour(
            "/odoo/action-calendar.action_calendar_event/new",
            "appointment_notify_receptionist",
            login=receptionist.login,
        )
        event = self.env["calendar.event"].search([("name", "=", "Haircut")])
        self.assertEqual(event.booking_state, "cancelled")
        reminders = self.env["appointment.notify.message"].search(
            [("rule_id", "=", rules[0].id), ("res_id", "=", event.id)]
        )
        self.assertEqual(len(reminders), 1, "moved, not duplicated")
        self.assertEqual(reminders.state, "cancelled")
        self.assertEqual(reminders.deadline_at, event.start, "it had moved with the booking")
