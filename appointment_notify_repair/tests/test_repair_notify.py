from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import freeze_time, tagged

from odoo.addons.appointment_notify.tests.common import NOW

from .common import RepairNotifyCase


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify_repair")
class TestRepairNotify(RepairNotifyCase):
    def test_registered_with_the_rules(self):
        self.assertIn("repair.order", dict(self.Rule._selection_res_model()))
        statuses = dict(self.Rule._selection_status_value())
        self.assertTrue({"draft", "under_repair", "done", "cancel"} <= set(statuses))
        arch = self.Repair.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_view_notify_messages", arch, "the smart button")

    def test_created(self):
        rule = self.make_rule("booked")
        order = self.make_order()
        msg = self.messages(order)
        self.assertEqual(msg.rule_id, rule)
        self.assertEqual(msg.partner_id, self.customer)
        self.assertEqual(msg.state, "scheduled")
        self.assertEqual(msg.record_name, order.display_name)
        self.assertEqual(msg.company_id, order.company_id)

    def test_created_confirmed_notifies_at_once(self):
        """Orders created confirmed (from a sale order, an import) notify too."""
        confirmed = self.make_rule("confirmed")
        changed = self.make_rule("status_changed")
        to_confirmed = self.make_rule(
            "status_set",
            status_value="confirmed",
            template=("appointment_notify_repair.mail_template_repair_confirmed"),
        )
        order = self.make_order(state="confirmed")
        self.assertEqual(self.messages(order).rule_id, confirmed | changed | to_confirmed)

    def test_status_changes_through_the_buttons(self):
        changed = self.make_rule("status_changed")
        confirmed = self.make_rule("confirmed")
        under_repair = self.make_rule(
            "status_set",
            status_value="under_repair",
            template="appointment_notify_repair.mail_template_repair_under_repair",
        )
        order = self.make_order()
        self.assertEqual(self.messages(order, rule_id=changed.id).occurrence, "draft")
        self.finish(order)
        self.assertEqual(
            self.messages(order, rule_id=changed.id).mapped("occurrence"),
            ["draft", "confirmed", "under_repair", "done"],
        )
        self.assertEqual(len(self.messages(order, rule_id=confirmed.id)), 1)
        self.assertEqual(len(self.messages(order, rule_id=under_repair.id)), 1)

    def test_status_changes_through_plain_writes(self):
        """The API and imports write the state directly: the same messages follow."""
        confirmed = self.make_rule("confirmed")
        changed = self.make_rule("status_changed")
        order = self.make_order()
        order.write({"state": "confirmed"})
        self.assertEqual(len(self.messages(order, rule_id=confirmed.id)), 1)
        self.assertEqual(len(self.messages(order, rule_id=changed.id)), 2)
        # The same state twice sends nothing.
        order.write({"state": "confirmed"})
        order.action_validate()
        self.assertEqual(len(self.messages(order)), 3)

    def test_ready_for_pickup(self):
        ready = self.make_rule(
            "status_set",
            status_value="done",
            template="appointment_notify_repair.mail_template_repair_done",
        )
        order = self.make_order()
        order.action_validate()
        order.action_repair_start()
        self.assertFalse(self.messages(order))
        self.assertFalse(order.notify_done_at)
        order.action_repair_end()
        self.assertEqual(order.notify_done_at, fields.Datetime.now())
        msg = self.messages(order)
        self.assertEqual(msg.rule_id, ready)
        self.assertEqual(self.dispatch(), 1)
        self.assertEqual(msg.state, "sent")
        for text in (
            "is ready",
            "Smartphone X12",
            order.name,
            "Damrak 1, 1012 LG Amsterdam",
            "+31 20 555 0100",
        ):
            self.assertIn(text, msg.body)
        self.assertIn(order.name, msg.subject)
        self.assertEqual(msg.mail_message_id.model, "repair.order", "in the order's chatter")
        self.assertEqual(order.notify_message_count, 1)
        action = order.action_view_notify_messages()
        self.assertEqual(self.env["appointment.notify.message"].search(action["domain"]), msg)

    def test_done_time_is_kept(self):
        order = self.make_order(state="done")
        self.assertEqual(order.notify_done_at, fields.Datetime.now())
        with freeze_time(datetime(2026, 3, 3, 8, 0)):
            order.write({"state": "done"})
        self.assertEqual(order.notify_done_at, fields.Datetime.now(), "the first done time")

    def test_reminder_before_the_visit_and_reschedule(self):
        reminder = self.make_rule("reminder", offset_amount=1, offset_unit="days")
        rescheduled = self.make_rule("rescheduled")
        visit = datetime(2026, 3, 5, 9, 0)
        order = self.make_order(schedule=visit)
        msg = self.messages(order)
        self.assertEqual(msg.rule_id, reminder)
        self.assertEqual(msg.scheduled_at, visit - timedelta(days=1))
        order.schedule_date = visit + timedelta(days=1)
        self.assertEqual(msg.state, "scheduled")
        self.assertEqual(msg.scheduled_at, visit, "the reminder moved with the visit")
        self.assertEqual(len(self.messages(order, rule_id=rescheduled.id)), 1)
        # Being repaired is no new date for the customer.
        self.finish(order)
        self.assertEqual(len(self.messages(order, rule_id=rescheduled.id)), 1)

    def test_walk_in_order_gets_no_reminder(self):
        """Scheduled now (the default): no visit to remind of, no skipped noise."""
        self.make_rule("reminder", offset_amount=1, offset_unit="hours")
        followup = self.make_rule("followup", offset_amount=2, offset_unit="hours")
        order = self.make_order(schedule=fields.Datetime.now())
        self.assertFalse(self.messages(order), "no follow-up before the order is done")
        order.schedule_date = fields.Datetime.now() + timedelta(days=1)
        self.assertEqual(self.messages(order).trigger, "reminder", "a visit is booked now")
        self.finish(order)
        self.assertEqual(len(self.messages(order, rule_id=followup.id)), 1)

    def test_cancel_cancels_pending_reminder_and_followup(self):
        reminder = self.make_rule("reminder", offset_amount=1, offset_unit="days")
        cancelled = self.make_rule("cancelled")
        order = self.make_order()
        order.action_repair_cancel()
        self.assertEqual(self.messages(order, rule_id=reminder.id).state, "cancelled")
        self.assertEqual(self.messages(order, rule_id=cancelled.id).state, "scheduled")
        # Set to Draft: the visit still stands, its reminder comes back.
        order.action_repair_cancel_draft()
        self.assertEqual(self.messages(order, rule_id=reminder.id).state, "scheduled")
        # A done order cancelled through the API loses its pending review request.
        followup = self.make_rule("followup", offset_amount=2, offset_unit="hours")
        self.finish(order)
        self.assertEqual(self.messages(order, rule_id=followup.id).state, "scheduled")
        order.write({"state": "cancel"})
        self.assertEqual(self.messages(order, rule_id=followup.id).state, "cancelled")

    def test_followup_after_done_needs_non_service_consent(self):
        followup = self.make_rule("followup", offset_amount=2, offset_unit="hours")
        self.assertTrue(followup.non_service)
        order = self.make_order()
        other = self.make_order(partner=self.customer2)
        self.finish(order)
        self.finish(other)
        msg = self.messages(order)
        self.assertEqual(msg.scheduled_at, order.notify_done_at + timedelta(hours=2))
        self.customer.notify_consent_marketing = True
        self.assertEqual(self.dispatch(), 0, "not due yet")
        with freeze_time(datetime(2026, 3, 2, 10, 1)):
            self.dispatch()
        self.assertEqual(msg.state, "sent")
        self.assertIn("how it went", msg.body)
        skipped = self.messages(other)
        self.assertEqual(skipped.state, "skipped")
        self.assertIn("non-service", skipped.reason)

    def test_email_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"].search(
            [("name", "in", ["repair", "appointment_notify_repair"])]
        )._update_translations("nl_NL")
        self.customer.lang = "nl_NL"
        self.make_rule("status_changed")
        order = self.make_order()
        self.dispatch()
        msg = self.messages(order)
        self.assertEqual(msg.state, "sent")
        self.assertIn(order.name, msg.subject)
        self.assertIn("Nieuw", msg.subject, "the status in the customer's words")
        for text in ("Hallo Ayla", order.name, "Smartphone X12", "+31 20 555 0100", "Nieuw"):
            self.assertIn(text, msg.body)
        self.assertNotIn("reply cancel", msg.body.lower())

    def test_ready_for_pickup_in_each_translated_language(self):
        self.make_rule(
            "status_set",
            status_value="done",
            template="appointment_notify_repair.mail_template_repair_done",
        )
        expected = {
            "tr_TR": ("Merhaba", "teslim almaya hazır"),
            "nl_NL": ("Hallo", "staat klaar om op te halen"),
            "it_IT": ("Gentile", "pronto per il ritiro"),
            "uk_UA": ("Добрий день", "можна забрати"),
        }
        modules = self.env["ir.module.module"].search(
            [("name", "in", ["repair", "appointment_notify_repair"])]
        )
        for lang, (hello, subject) in expected.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                modules._update_translations(lang)
                self.customer.lang = lang
                order = self.make_order()
                self.finish(order)
                self.dispatch()
                msg = self.messages(order)
                self.assertEqual(msg.state, "sent")
                self.assertIn(subject, msg.subject)
                for text in (
                    hello,
                    order.name,
                    "Smartphone X12",
                    "+31 20 555 0100",
                    "Damrak 1, 1012 LG Amsterdam",
                ):
                    self.assertIn(text, msg.body)

    def test_other_company_rules_never_fire(self):
        company_b = self.env["res.company"].create({"name": "Repair Shop B"})
        rule_b = self.make_rule("booked", company_id=company_b.id)
        order = self.make_order()
        self.assertFalse(self.messages(order), "company B's rule ignores company A's order")
        picking_type_b = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", company_b.id)], limit=1)
            .repair_type_id
        )
        order_b = self.make_order(company_id=company_b.id, picking_type_id=picking_type_b.id)
        msg = self.messages(order_b)
        self.assertEqual(msg.rule_id, rule_b)
        self.assertEqual(msg.company_id, company_b)

    def test_deleting_a_draft_order_tells_the_customer_once(self):
        self.make_rule("cancelled")
        self.make_rule("status_changed")
        order = self.make_order()
        order_id = order.id
        order.unlink()
        msgs = self.Message.search(
            [("res_model", "=", "repair.order"), ("res_id", "=", order_id)], order="id"
        )
        self.assertEqual(msgs.mapped("trigger"), ["status_changed", "cancelled"])
        self.assertEqual(msgs.mapped("state"), ["cancelled", "scheduled"])
        self.assertTrue(msgs[1].prerendered, "rendered while the order still existed")
