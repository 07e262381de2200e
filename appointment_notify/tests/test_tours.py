from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import ScreenshotTourMixin


@tagged("post_install", "-at_install", "appointment_notify")
class TestConsentTour(ScreenshotTourMixin, HttpCase):
    def test_consent_edited_and_logged(self):
        customer = self.env["res.partner"].create(
            {"name": "Deniz Demir", "email": "deniz@example.com"}
        )
        self.start_tour(
            f"/odoo/action-base.action_partner_form/{customer.id}",
            "appointment_notify_consent",
            login="admin",
        )
        self.assertTrue(customer.notify_consent_email)
        self.assertTrue(customer.notify_consent_email_date)
        self.assertIn("Mitchell Admin", customer.notify_consent_email_source)


@tagged("post_install", "-at_install", "appointment_notify")
class TestQuickSetupTour(ScreenshotTourMixin, HttpCase):
    def test_quick_setup_from_settings(self):
        Rule = self.env["appointment.notify.rule"].with_context(active_test=False)
        Rule.search([("quick_setup_key", "!=", False)]).unlink()
        wizard = self.env["appointment.notify.quick.setup"].create({"channel": "email"})
        wizard.action_apply()
        edited = Rule.search([("quick_setup_key", "=", "calendar.event:reminder:24h")])
        edited.write({"name": "Reminder the salon's way", "offset_amount": 48})
        self.start_tour(
            "/odoo/action-appointment_notify.res_config_settings_action",
            "appointment_notify_quick_setup",
            login="admin",
        )
        rules = Rule.search([("quick_setup_key", "!=", False), ("active", "=", True)])
        self.assertEqual(
            set(rules.mapped("quick_setup_key")),
            {
                "calendar.event:awaiting",
                "calendar.event:confirmed",
                "calendar.event:rejected",
                "calendar.event:cancelled",
                "calendar.event:rescheduled",
                "calendar.event:reminder:3h",
                "calendar.event:reminder:24h",
                "calendar.event:followup",
            },
        )
        self.assertEqual(edited.offset_amount, 48, "the hand-edited rule is left alone")
        self.assertEqual(len(Rule.search([("quick_setup_key", "!=", False)])), 8, "no copies")


@tagged("post_install", "-at_install", "appointment_notify")
class TestReceptionistTour(ScreenshotTourMixin, HttpCase):
    def test_receptionist_retries_from_calendar(self):
        receptionist = new_test_user(
            self.env,
            login="desk_receptionist",
            password="desk_receptionist",
            groups="base.group_user,appointment_notify.group_notify_user",
            name="Desk Receptionist",
        )
        self.assertFalse(receptionist.has_group("appointment_notify.group_notify_admin"))
        customer = self.env["res.partner"].create(
            {"name": "Deniz Demir", "email": "deniz@example.com", "notify_consent_email": True}
        )
        self.env["appointment.notify.rule"].search([]).active = False
        self.env["appointment.notify.rule"].create(
            {
                "name": "Tour confirmed",
                "trigger": "confirmed",
                "channel": "email",
                "mail_template_id": self.env.ref(
                    "appointment_notify.mail_template_event_confirmed"
                ).id,
            }
        )
        start = fields.Datetime.now() + timedelta(days=2)
        event = self.env["calendar.event"].create(
            {
                "name": "Consultation",
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [(6, 0, customer.ids)],
            }
        )
        message = self.env["appointment.notify.message"].search(
            [("res_model", "=", "calendar.event"), ("res_id", "=", event.id)]
        )
        message.write({"state": "failed", "reason": "Mailbox full"})
        self.start_tour(
            "/odoo/calendar", "appointment_notify_receptionist_retry", login=receptionist.login
        )
        self.assertEqual(message.state, "scheduled")
        self.assertFalse(message.reason)
