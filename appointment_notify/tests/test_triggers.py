from datetime import date, datetime, timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import NOW, NotifyCase


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify")
class TestTriggers(NotifyCase):
    def test_booked_and_confirmed_once_per_customer(self):
        booked = self.make_rule("booked")
        confirmed = self.make_rule("confirmed")
        event = self.make_event(partners=self.customer | self.customer2 | self.staff.partner_id)
        msgs = self.messages(event)
        self.assertEqual(len(msgs), 4, "two triggers x two customers, staff excluded")
        self.assertEqual(set(msgs.rule_id.ids), {booked.id, confirmed.id})
        self.assertEqual(msgs.partner_id, self.customer | self.customer2)
        self.assertEqual(set(msgs.mapped("state")), {"scheduled"})
        self.assertEqual(event.booking_state, "confirmed")
        # A hook firing again plans nothing more.
        event._notify_after_create()
        self.assertEqual(len(self.messages(event)), 4)

    def test_event_without_customers(self):
        self.make_rule("confirmed")
        event = self.make_event(partners=self.staff.partner_id)
        self.assertFalse(self.messages(event))

    def test_manual_confirmation_flow(self):
        self.company.notify_manual_confirmation = True
        for trigger in ("awaiting", "confirmed", "rejected"):
            self.make_rule(trigger)
        reminder = self.make_rule("reminder", offset_amount=1, offset_unit="hours")
        event = self.make_event()
        self.assertEqual(event.booking_state, "awaiting")
        self.assertEqual(self.messages(event).mapped("trigger"), ["awaiting", "reminder"])
        event.action_notify_confirm()
        self.assertEqual(len(self.messages(event, trigger="confirmed")), 1)
        event.action_notify_confirm()  # the same state twice sends nothing
        self.assertEqual(len(self.messages(event, trigger="confirmed")), 1)
        event.action_notify_reject()
        self.assertEqual(len(self.messages(event, trigger="rejected")), 1)
        pending_reminder = self.messages(event, rule_id=reminder.id)
        self.assertEqual(pending_reminder.state, "cancelled")

    def test_status_changed_and_status_set(self):
        any_change = self.make_rule("status_changed")
        to_cancelled = self.make_rule("status_set", status_value="cancelled")
        event = self.make_event()
        self.assertEqual(len(self.messages(event, rule_id=any_change.id)), 1)
        self.assertFalse(self.messages(event, rule_id=to_cancelled.id))
        event.action_notify_cancel()
        self.assertEqual(len(self.messages(event, rule_id=any_change.id)), 2)
        self.assertEqual(len(self.messages(event, rule_id=to_cancelled.id)), 1)
        with self.assertRaises(ValidationError):
            self.make_rule("status_set", status_value=False)

    def test_rescheduled_only_on_real_change(self):
        rule = self.make_rule("rescheduled")
        event = self.make_event()
        event.write({"start": event.start, "stop": event.stop})
        event.write({"name": "Haircut and colour"})
        self.assertFalse(self.messages(event, rule_id=rule.id))
        event.write(
            {"start": event.start + timedelta(hours=2), "stop": event.stop + timedelta(hours=2)}
        )
        first = self.messages(event, rule_id=rule.id)
        self.assertEqual(len(first), 1)
        # Moved again before the first message left: the first is superseded.
        event.write({"stop": event.stop + timedelta(minutes=30)})
        msgs = self.messages(event, rule_id=rule.id)
        self.assertEqual(msgs.mapped("state"), ["cancelled", "scheduled"])

    def test_reminders_coexist_and_move(self):
        day_before = self.make_rule("reminder", offset_amount=24, offset_unit="hours")
        hour_before = self.make_rule("reminder", offset_amount=60, offset_unit="minutes")
        start = datetime(2026, 3, 5, 10, 0)
        event = self.make_event(start=start)
        self.assertEqual(
            self.messages(event, rule_id=day_before.id).next_attempt_at, start - timedelta(days=1)
        )
        self.assertEqual(
            self.messages(event, rule_id=hour_before.id).next_attempt_at, start - timedelta(hours=1)
        )
        new_start = datetime(2026, 3, 6, 15, 0)
        event.write({"start": new_start, "stop": new_start + timedelta(hours=1)})
        day = self.messages(event, rule_id=day_before.id)
        self.assertEqual(len(day), 1, "moved, not duplicated")
        self.assertEqual(day.next_attempt_at, new_start - timedelta(days=1))
        self.assertEqual(day.deadline_at, new_start)
        # Moved into the reminder window: the 24-hour reminder became pointless.
        soon = datetime(2026, 3, 2, 11, 0)
        event.write({"start": soon, "stop": soon + timedelta(hours=1)})
        self.assertEqual(self.messages(event, rule_id=day_before.id).state, "cancelled")
        self.assertEqual(
            self.messages(event, rule_id=hour_before.id).next_attempt_at, datetime(2026, 3, 2, 10)
        )

    def test_booking_inside_reminder_window(self):
        day_before = self.make_rule("reminder", offset_amount=24, offset_unit="hours")
        event = self.make_event(start=datetime(2026, 3, 2, 10, 0))  # two hours ahead
        msg = self.messages(event, rule_id=day_before.id)
        self.assertEqual(msg.state, "skipped")
        self.assertIn("Too late", msg.reason)

    def test_cancel_archive_unlink(self):
        cancelled = self.make_rule("cancelled")
        reminder = self.make_rule("reminder", offset_amount=2, offset_unit="hours")
        followup = self.make_rule("followup", offset_amount=1, offset_unit="hours")
        archived = self.make_event()
        archived.action_archive()
        self.assertEqual(archived.booking_state, "cancelled")
        self.assertEqual(len(self.messages(archived, rule_id=cancelled.id)), 1)
        for rule in (reminder, followup):
            self.assertEqual(self.messages(archived, rule_id=rule.id).state, "cancelled")

        deleted = self.make_event()
        deleted_id = deleted.id
        deleted.unlink()
        msgs = self.Message.search(
            [("res_model", "=", "calendar.event"), ("res_id", "=", deleted_id)]
        )
        cancel_msg = msgs.filtered(lambda m: m.rule_id == cancelled)
        self.assertTrue(cancel_msg.prerendered, "rendered before the record vanished")
        self.assertIn("cancelled", cancel_msg.subject)
        self.assertEqual(set((msgs - cancel_msg).mapped("state")), {"cancelled"})
        self.dispatch()
        self.assertEqual(cancel_msg.state, "sent")
        mail = self.env["mail.mail"].search([("email_to", "=", "ayla@example.com")])
        self.assertTrue(mail.filtered(lambda m: "cancelled" in m.subject))

    def test_followup_and_delay(self):
        followup = self.make_rule("followup", offset_amount=1, offset_unit="hours")
        delayed = self.make_rule("confirmed", offset_amount=30, offset_unit="minutes")
        event = self.make_event(start=datetime(2026, 3, 3, 9, 0), hours=2)
        self.assertEqual(
            self.messages(event, rule_id=followup.id).next_attempt_at, datetime(2026, 3, 3, 12, 0)
        )
        self.assertTrue(followup.non_service)
        self.assertEqual(
            self.messages(event, rule_id=delayed.id).next_attempt_at,
            fields.Datetime.now() + timedelta(minutes=30),
        )

    def test_all_day_event(self):
        reminder = self.make_rule("reminder", offset_amount=1, offset_unit="days")
        self.company._notify_calendar().tz = "Europe/Istanbul"
        event = self.Event.create(
            {
                "name": "Full-day spa",
                "allday": True,
                "start_date": date(2026, 3, 10),
                "stop_date": date(2026, 3, 10),
                "partner_ids": [(6, 0, self.customer.ids)],
            }
        )
        msg = self.messages(event, rule_id=reminder.id)
        # Midnight in Istanbul (UTC+3) the day before.
        self.assertEqual(msg.next_attempt_at, datetime(2026, 3, 8, 21, 0))
        self.assertEqual(msg.deadline_at, datetime(2026, 3, 9, 21, 0))

    def test_recurring_events(self):
        reminder = self.make_rule("reminder", offset_amount=1, offset_unit="hours")
        event = self.make_event(
            start=datetime(2026, 3, 3, 9, 0),
            recurrency=True,
            rrule_type="weekly",
            count=3,
            tue=True,
        )
        events = event.recurrence_id.calendar_event_ids
        self.assertEqual(len(events), 3)
        msgs = self.messages(events, rule_id=reminder.id)
        self.assertEqual(len(msgs), 3)
        self.assertEqual(len(set(msgs.mapped("next_attempt_at"))), 3)

    def test_customers_added_and_removed(self):
        reminder = self.make_rule("reminder", offset_amount=1, offset_unit="hours")
        event = self.make_event()
        event.write({"partner_ids": [(4, self.customer2.id)]})
        self.assertEqual(len(self.messages(event, rule_id=reminder.id)), 2)
        event.write({"partner_ids": [(3, self.customer.id)]})
        self.assertEqual(
            self.messages(event, rule_id=reminder.id, partner_id=self.customer.id).state,
            "cancelled",
        )

    def test_changes_by_api_as_calendar_user(self):
        """A plain calendar user (no Notifications group) moves an appointment."""
        reminder = self.make_rule("reminder", offset_amount=1, offset_unit="hours")
        event = self.make_event().with_user(self.staff)
        event.write({"start": datetime(2026, 3, 9, 9, 0), "stop": datetime(2026, 3, 9, 10, 0)})
        self.assertEqual(
            self.messages(event, rule_id=reminder.id).next_attempt_at, datetime(2026, 3, 9, 8, 0)
        )
        event.action_notify_cancel()
        self.assertEqual(self.messages(event, rule_id=reminder.id).state, "cancelled")

    def test_rule_domain(self):
        rule = self.make_rule("confirmed", filter_domain="[('name', 'ilike', 'colour')]")
        plain = self.make_event()
        coloured = self.make_event(name="Colour")
        self.assertFalse(self.messages(plain, rule_id=rule.id))
        self.assertTrue(self.messages(coloured, rule_id=rule.id))
        with self.assertRaises(ValidationError):
            self.make_rule("confirmed", filter_domain="[('no_such_field', '=', 1)]")

    def test_unique_key_in_database(self):
        self.make_rule("confirmed")
        event = self.make_event()
        msg = self.messages(event)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            msg.copy()
