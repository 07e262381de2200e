from odoo.tests import HttpCase, tagged

from odoo.addons.appointment_notify.tests.common import ScreenshotTourMixin

from .common import RepairNotifyCase


@tagged("post_install", "-at_install", "appointment_notify_repair")
class TestRepairDeskTour(ScreenshotTourMixin, HttpCase, RepairNotifyCase):
    def test_ready_for_pickup_in_chatter(self):
        self.make_rule(
            "status_set", "appointment_notify_repair.mail_template_repair_done", status_value="done"
        )
        order = self.make_order()
        order.action_validate()
        order.action_repair_start()
        url = f"/odoo/action-repair.action_repair_order_tree/{order.id}"
        self.start_tour(url, "appointment_notify_repair_desk_ready", login="admin")
        self.assertEqual(order.state, "done")
        message = self.messages(order)
        self.assertEqual(message.state, "scheduled")
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.start_tour(url, "appointment_notify_repair_desk_chatter", login="admin")
