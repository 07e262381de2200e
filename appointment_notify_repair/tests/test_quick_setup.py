from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged

from odoo.addons.appointment_notify.tests.common import NOW

from .common import RepairNotifyCase


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify_repair")
class TestRepairQuickSetup(RepairNotifyCase):
    def setUp(self):
        super().setUp()
        self.Rule.with_context(active_test=False).search(
            [("quick_setup_key", "!=", False)]
        ).unlink()

    def test_quick_setup_makes_the_repair_messages(self):
        wizard = self.env["appointment.notify.quick.setup"].create(
            {"channel": "email", "repair_reminder": True, "review_request": True}
        )
        wizard.action_apply()
        rules = wizard.rule_ids.filtered(lambda r: r.res_model == "repair.order")
        by_key = {r.quick_setup_key: r for r in rules}
        self.assertEqual(
            set(by_key),
            {
                "repair.order:booked",
                "repair.order:status_set:done",
                "repair.order:cancelled",
                "repair.order:reminder",
                "repair.order:followup",
            },
        )
        ready = by_key["repair.order:status_set:done"]
        self.assertEqual(ready.status_value, "done")
        self.assertEqual(
            ready.mail_template_id,
            self.env.ref("appointment_notify_repair.mail_template_repair_done"),
        )
        self.assertTrue(by_key["repair.order:followup"].non_service)
        # One message per change: received on creation, nothing on confirmation,
        # ready for pickup when done.
        order = self.make_order()
        self.assertEqual(
            self.messages(order, state="scheduled").mapped("trigger"), ["booked", "reminder"]
        )
        before = self.messages(order)
        self.finish(order)
        new = self.messages(order) - before
        self.assertEqual(
            new.filtered(lambda m: m.trigger != "followup").mapped("trigger"), ["status_set"]
        )
        # Reopened, the quick setup starts from these choices; unticking the
        # repair messages archives them and copies nothing.
        Wizard = self.env["appointment.notify.quick.setup"]
        defaults = Wizard.default_get(["repair_created", "repair_reminder", "review_request"])
        self.assertEqual(set(defaults.values()), {True})
        wizard = Wizard.create(
            {
                "channel": "email",
                "repair_created": False,
                "repair_ready": False,
                "repair_cancelled": False,
                "repair_reminder": False,
                "review_request": False,
            }
        )
        wizard.action_apply()
        self.assertFalse(any(rules.mapped("active")), "unticked: archived")
        self.assertEqual(
            len(
                self.Rule.with_context(active_test=False).search(
                    [("quick_setup_key", "like", "repair.order:")]
                )
            ),
            5,
        )

    def test_customer_messages_in_the_repair_app(self):
        desk = new_test_user(
            self.env,
            login="repair_desk",
            groups="stock.group_stock_user,appointment_notify.group_notify_user",
        )
        menu = self.env.ref("appointment_notify_repair.appointment_notify_repair_message_menu")
        visible = self.env["ir.ui.menu"].with_user(desk)._visible_menu_ids()
        while menu:
            self.assertIn(menu.id, visible, menu.complete_name)
            menu = menu.parent_id


@tagged("post_install", "-at_install", "appointment_notify_repair")
class TestRepairDemoRules(TransactionCase):
    def test_demo_one_message_per_change(self):
        if not self.env.ref("appointment_notify.res_partner_demo_ayse", raise_if_not_found=False):
            self.skipTest("demo data not loaded")
        rules = self.env["appointment.notify.rule"].search(
            [("company_id", "=", self.env.company.id)]
        )
        self.assertEqual(
            set(rules.filtered(lambda r: r.res_model == "repair.order").mapped("quick_setup_key")),
            {
                "repair.order:booked",
                "repair.order:status_set:done",
                "repair.order:cancelled",
                "repair.order:reminder",
                "repair.order:followup",
            },
            "the repair demo rules are the quick setup's",
        )
        self.assertFalse(
            rules.filtered(
                lambda r: (
                    r.trigger in ("status_changed", "booked") and r.res_model == "calendar.event"
                )
            ),
        )
        order = self.env["repair.order"].create(
            {
                "partner_id": self.env.ref("appointment_notify.res_partner_demo_giulia").id,
                "product_id": self.env.ref("appointment_notify_repair.product_demo_laptop").id,
                "picking_type_id": self.env.ref("repair.picking_type_warehouse0_repair").id,
            }
        )
        messages = self.env["appointment.notify.message"].search(
            [("res_model", "=", "repair.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(messages.mapped("trigger"), ["booked"], "one order, one message")
