from odoo.tests import HttpCase, tagged

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
