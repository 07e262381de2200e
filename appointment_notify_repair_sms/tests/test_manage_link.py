from odoo.tests import tagged

from .common import RepairSmsCase

LINKED = ("created", "status_changed", "confirmed", "under_repair", "done", "rescheduled")
LINKED += ("reminder",)
URL = "https://shop.example.com/appointment_notify/manage/T0K3N"


@tagged("post_install", "-at_install", "appointment_notify_repair_sms")
class TestRepairSmsLink(RepairSmsCase):
    """The repair SMS give the status page link when there is one, nothing otherwise."""

    def render(self, case, order, manage_url):
        ctx = {**order._notify_render_context(self.customer), "manage_url": manage_url}
        template = self.sms_template(case)
        return template._render_field("body", order.ids, add_context=ctx)[order.id]

    def test_link_when_there_is_one(self):
        order = self.make_order()
        for case in LINKED:
            with self.subTest(case=case):
                self.assertIn(f" Follow your repair: {URL}", self.render(case, order, URL))
                self.assertNotIn("Follow your repair", self.render(case, order, ""))
        for case in ("cancelled", "followup"):
            self.assertNotIn("Follow your repair", self.render(case, order, URL))
