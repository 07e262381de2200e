from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.appointment_notify_repair.tests.common import RepairNotifyCase


@tagged("post_install", "-at_install", "appointment_notify_repair_links")
class TestRepairStatusPage(RepairNotifyCase, HttpCase):
    def test_read_only_status_page(self):
        order = self.make_order()
        url = order._notify_render_context(self.customer)["manage_url"]
        self.assertIn("/appointment_notify/manage/", url)
        self.assertEqual(order._notify_manage_url(self.customer2), "")
        path = url[len(order.get_base_url()) :]
        before = (order.state, len(order.message_ids), len(self.messages(order)))
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        self.assertIn(order.name, response.text)
        self.assertIn("Smartphone X12", response.text)
        self.assertIn("Damrak 1", response.text)
        self.assertIn(self.company.phone, response.text)
        self.assertNotIn("<form", response.text)
        # The appointment actions do not exist for a repair order.
        csrf = response.text.split('csrf_token: "', 1)[1].split('"', 1)[0]
        for action in ("confirm", "cancel", "reschedule"):
            with mute_logger("odoo.http"):
                refused = self.url_open(
                    f"{path}/{action}", data={"csrf_token": csrf}, allow_redirects=False
                )
            self.assertEqual(refused.status_code, 404)
            self.assertNotIn(order.name, refused.text)
        self.env.invalidate_all()
        self.assertEqual((order.state, len(order.message_ids), len(self.messages(order))), before)

    def test_link_outlives_the_repair(self):
        order = self.make_order()
        self.finish(order)
        # Repaired just now: the link still opens for the pickup.
        self.assertGreater(order._notify_manage_expiry(), order.notify_done_at)
        path = order._notify_manage_url(self.customer)[len(order.get_base_url()) :]
        self.assertEqual(self.url_open(path).status_code, 200)

    def test_repair_email_links_to_the_page(self):
        order = self.make_order()
        url = order._notify_manage_url(self.customer)
        template = self.env.ref("appointment_notify_repair.mail_template_repair_done")
        ctx = order._notify_render_context(self.customer)
        body = template._render_field("body_html", order.ids, add_context=ctx)[order.id]
        self.assertIn(f'<a href="{url}">Follow your repair online</a>', body)
        path = url[len(order.get_base_url()) :]
        self.assertEqual(self.url_open(path).status_code, 200)
