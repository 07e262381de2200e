from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged

from .common import NOW, NotifyCase

# The quick setup's own defaults, given explicitly: a rerun otherwise starts
# from the choices of the run before.
CHOICES = {
    "channel": "email",
    "send_awaiting": True,
    "send_confirmed": True,
    "send_rejected": True,
    "send_cancelled": True,
    "send_rescheduled": True,
    "reminder_1h": False,
    "reminder_3h": False,
    "reminder_12h": False,
    "reminder_24h": True,
    "review_request": False,
}
IMMEDIATE = ("awaiting", "confirmed", "rejected", "cancelled", "rescheduled", "status_changed")


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify")
class TestQuickSetup(NotifyCase):
    def setUp(self):
        super().setUp()
        # The demo data's: a fresh company here.
        self.Rule.with_context(active_test=False).search(
            [("quick_setup_key", "!=", False)]
        ).unlink()

    def run_setup(self, **values):
        wizard = self.env["appointment.notify.quick.setup"].create({**CHOICES, **values})
        wizard.action_apply()
        return wizard

    def setup_rules(self):
        # The appointments' (the repair addon, when installed, adds its own).
        return self.Rule.with_context(active_test=False).search(
            [
                ("quick_setup_key", "!=", False),
                ("company_id", "=", self.company.id),
                ("res_model", "=", "calendar.event"),
            ]
        )

    def test_creates_coherent_rule_set(self):
        wizard = self.run_setup(reminder_3h=True, review_request=True, review_delay_hours=2)
        rules = self.setup_rules()
        self.assertEqual(wizard.state, "done")
        shown = wizard.rule_ids.filtered(lambda r: r.res_model == "calendar.event")
        self.assertEqual(shown, rules, "the wizard shows the rules it made")
        self.assertFalse(wizard.warning)
        by_key = {r.quick_setup_key: r for r in rules}
        self.assertEqual(
            set(by_key),
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
        self.assertEqual(set(rules.mapped("channel")), {"email"})
        confirmed = by_key["calendar.event:confirmed"]
        self.assertEqual(
            confirmed.mail_template_id,
            self.env.ref("appointment_notify.mail_template_event_confirmed"),
        )
        self.assertEqual(
            (
                by_key["calendar.event:reminder:3h"].offset_amount,
                by_key["calendar.event:reminder:3h"].offset_unit,
            ),
            (3, "hours"),
        )
        review = by_key["calendar.event:followup"]
        self.assertTrue(review.non_service, "a review request needs marketing consent")
        self.assertEqual(review.offset_amount, 2)
        # One booking: one message now (confirmed), the reminders later, and no
        # "status changed" next to it.
        event = self.make_event()
        now_msgs = self.messages(event).filtered(lambda m: m.trigger in IMMEDIATE)
        self.assertEqual(now_msgs.mapped("trigger"), ["confirmed"])
        self.assertEqual(len(self.messages(event, trigger="reminder")), 2)
        # Manual confirmation: "awaiting" alone, then "confirmed" alone.
        self.company.notify_manual_confirmation = True
        event = self.make_event()
        self.assertEqual(
            self.messages(event).filtered(lambda m: m.trigger in IMMEDIATE).mapped("trigger"),
            ["awaiting"],
        )

    def test_rerun_updates_instead_of_copying(self):
        self.run_setup()
        first = self.setup_rules()
        wizard = self.run_setup(send_rejected=False, reminder_24h=False, reminder_1h=True)
        rules = self.setup_rules()
        keys = rules.mapped("quick_setup_key")
        self.assertEqual(len(keys), len(set(keys)), "one rule per message, no copies")
        self.assertLessEqual(first, rules, "the same rules were updated")
        by_key = {r.quick_setup_key: r for r in rules}
        self.assertFalse(by_key["calendar.event:rejected"].active, "unticked: archived")
        self.assertFalse(by_key["calendar.event:reminder:24h"].active)
        self.assertTrue(by_key["calendar.event:reminder:1h"].active)
        self.assertFalse(wizard.warning)
        if "sms" in dict(self.env["appointment.notify.quick.setup"]._selection_channel()):
            self.run_setup(channel="sms")
            self.assertEqual(by_key["calendar.event:confirmed"].name, "Booking confirmed (SMS)")
        # Ticked again: the archived rule comes back rather than a new one.
        rejected = by_key["calendar.event:rejected"]
        self.run_setup()
        self.assertTrue(rejected.active)
        self.assertEqual(len(self.setup_rules()), len(rules))
        # Opening the quick setup again starts from what it made.
        defaults = self.env["appointment.notify.quick.setup"].default_get(
            ["channel", "send_rejected", "reminder_1h", "reminder_24h"]
        )
        self.assertEqual(defaults["channel"], "email")
        self.assertTrue(defaults["send_rejected"])
        self.assertFalse(defaults["reminder_1h"])
        self.assertTrue(defaults["reminder_24h"])

    def test_hand_edited_rule_left_alone_and_named(self):
        self.run_setup()
        reminder = self.setup_rules().filtered(
            lambda r: r.quick_setup_key == "calendar.event:reminder:24h"
        )
        reminder.write({"offset_amount": 30, "name": "Reminder, our way"})
        cancelled = self.setup_rules().filtered(
            lambda r: r.quick_setup_key == "calendar.event:cancelled"
        )
        cancelled.active = False  # switched off by hand
        renamed = self.setup_rules().filtered(
            lambda r: r.quick_setup_key == "calendar.event:rescheduled"
        )
        renamed.with_context(lang="en_US").name = "Your new time"
        wizard = self.run_setup(reminder_24h=False, reminder_12h=True)
        self.assertTrue(reminder.active, "a hand-edited rule is not archived")
        self.assertEqual(reminder.offset_amount, 30)
        self.assertFalse(cancelled.active, "nor switched back on")
        self.assertIn("Reminder, our way", wizard.warning)
        self.assertIn(cancelled.name, wizard.warning)
        self.assertIn("Your new time", wizard.warning, "a rename is an edit too")
        self.assertIn(reminder, wizard.rule_ids, "the kept rules are shown too")
        twelve = self.setup_rules().filtered(
            lambda r: r.quick_setup_key == "calendar.event:reminder:12h"
        )
        self.assertTrue(twelve.active, "the rest is set up all the same")

    def test_other_rules_sending_too_are_named(self):
        own = self.make_rule("status_changed", name="Our status e-mail")
        self.make_rule("reminder", name="Our 2-day reminder", offset_amount=48)
        wizard = self.run_setup()
        self.assertIn(own.name, wizard.warning)
        self.assertNotIn("Our 2-day reminder", wizard.warning, "a reminder of its own: fine")
        self.assertTrue(own.active, "rules made by hand are never changed")

    def test_channel_options_follow_installed_addons(self):
        Wizard = self.env["appointment.notify.quick.setup"]
        installed = set(
            self.env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        )
        expected = ["email"]
        if "appointment_notify_sms" in installed:
            expected.insert(0, "sms")
        if "appointment_notify_whatsapp" in installed:
            expected.insert(0, "whatsapp")
        self.assertEqual([value for value, _label in Wizard._selection_channel()], expected)
        if "appointment_notify_sms" not in installed:
            with self.assertRaises(UserError):
                self.run_setup(channel="sms")
            self.assertFalse(self.setup_rules(), "nothing made for a missing channel")
            return
        self.run_setup(channel="sms")
        confirmed = self.setup_rules().filtered(
            lambda r: r.quick_setup_key == "calendar.event:confirmed"
        )
        self.assertEqual(confirmed.channel, "sms")
        self.assertEqual(
            confirmed.sms_template_id,
            self.env.ref("appointment_notify_sms.sms_template_event_confirmed"),
        )
        self.assertFalse(confirmed.mail_template_id)
        if "appointment_notify_whatsapp" in installed:
            self.run_setup(channel="whatsapp", fallback="sms_email")
            self.assertEqual(confirmed.channel, "whatsapp")
            self.assertEqual(confirmed.fallback_channel, "sms")
            self.assertTrue(confirmed.sms_template_id and confirmed.mail_template_id)
            self.assertTrue(confirmed.whatsapp_template_ids)


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify")
class TestStaffAccess(NotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receptionist = new_test_user(
            cls.env,
            login="notify_desk",
            groups="base.group_user,appointment_notify.group_notify_user",
            company_ids=[(6, 0, cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        self.rule = self.make_rule("confirmed")

    def failed_message(self, event):
        message = self.messages(event, trigger="confirmed")
        message.write({"state": "failed", "reason": "Mailbox full"})
        return message

    def test_receptionist_retries_failed_message(self):
        message = self.failed_message(self.make_event())
        message.with_user(self.receptionist).action_retry()
        self.assertEqual(message.state, "scheduled")
        self.assertEqual(message.attempts, 0)
        self.assertFalse(message.reason)

    def test_receptionist_cannot_retry_what_they_cannot_edit(self):
        # Another stylist's private appointment: readable, not editable.
        event = self.make_event(user_id=self.staff.id, privacy="private")
        message = self.failed_message(event)
        with self.assertRaises(AccessError):
            message.with_user(self.receptionist).action_retry()
        self.assertEqual(message.state, "failed")
        # A calendar user without the notifications group retries nothing.
        with self.assertRaises(AccessError):
            message.with_user(self.staff).action_retry()
        # Deleted record: only administrators see (and retry) its messages.
        gone = self.failed_message(self.make_event())
        self.Event.browse(gone.res_id).unlink()
        gone.write({"state": "failed"})
        with self.assertRaises(AccessError):
            gone.with_user(self.receptionist).action_retry()

    def test_calendar_menu_for_staff(self):
        Menu = self.env["ir.ui.menu"]
        messages = self.env.ref("appointment_notify.appointment_notify_calendar_message_menu")
        rules = self.env.ref("appointment_notify.appointment_notify_calendar_rule_menu")
        settings = self.env.ref("appointment_notify.appointment_notify_message_menu")

        def reachable(user, menu):
            # The web client shows a menu when it and all its parents are visible.
            visible = Menu.with_user(user)._visible_menu_ids()
            while menu:
                if menu.id not in visible:
                    return False
                menu = menu.parent_id
            return True

        self.assertTrue(reachable(self.receptionist, messages))
        self.assertFalse(reachable(self.receptionist, rules), "rules: notification admins")
        self.assertFalse(reachable(self.receptionist, settings), "Settings: hidden as before")
        owner = new_test_user(
            self.env,
            login="notify_owner",
            groups="base.group_user,appointment_notify.group_notify_admin",
        )
        self.assertTrue(reachable(owner, messages))
        self.assertTrue(reachable(owner, rules))
        # The staff list holds the appointments' messages, and its filters exist.
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "appointment_notify.appointment_notify_message_action_staff"
        )
        self.assertIn("calendar.event", action["domain"])
        arch = self.env["appointment.notify.message"].get_view(view_type="search")["arch"]
        self.assertIn('name="filter_failed_today"', arch)
        self.assertIn('name="filter_scheduled_tomorrow"', arch)


@tagged("post_install", "-at_install", "appointment_notify")
class TestDemoRules(TransactionCase):
    def test_demo_one_message_per_booking(self):
        customer = self.env.ref(
            "appointment_notify.res_partner_demo_ayse", raise_if_not_found=False
        )
        if not customer:
            self.skipTest("demo data not loaded")
        self.env.company.notify_manual_confirmation = False
        start = fields.Datetime.now() + timedelta(days=3)
        event = self.env["calendar.event"].create(
            {
                "name": "Consultation",
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [(6, 0, customer.ids)],
            }
        )
        messages = self.env["appointment.notify.message"].search(
            [("res_model", "=", "calendar.event"), ("res_id", "=", event.id)]
        )
        now = messages.filtered(lambda m: m.trigger not in ("reminder", "followup"))
        self.assertEqual(now.mapped("trigger"), ["confirmed"], "one booking, one message")
        event.write({"start": start + timedelta(hours=2), "stop": start + timedelta(hours=3)})
        messages = (
            self.env["appointment.notify.message"].search(
                [("res_model", "=", "calendar.event"), ("res_id", "=", event.id)]
            )
            - messages
        )
        moved = messages.filtered(lambda m: m.trigger not in ("reminder", "followup"))
        self.assertEqual(moved.mapped("trigger"), ["rescheduled"], "one move, one message")
        rules = self.env["appointment.notify.rule"].search(
            [("company_id", "=", self.env.company.id)]
        )
        self.assertTrue(rules.filtered("quick_setup_key"), "the demo set is the quick setup's")
