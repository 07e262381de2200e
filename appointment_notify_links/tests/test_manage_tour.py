import re
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config

from .test_manage_links import ManageLinksCase

HREF = re.compile(r'href="([^"]*/appointment_notify/manage/[^"]+)"')


@tagged("post_install", "-at_install", "appointment_notify_links")
class TestManageTour(ManageLinksCase):
    """A customer on a phone opens the link of their confirmation e-mail, moves the
    appointment, then cancels it: an Odoo tour on a mobile viewport."""

    browser_size = "390x844"
    touch_enabled = True

    def confirmation_link(self):
        """The link as the customer got it: read from the sent confirmation e-mail."""
        (message,) = self.triggers("confirmed")
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        (url,) = set(HREF.findall(message.body))
        return url.replace("&amp;", "&")

    def test_phone_reschedule_then_cancel(self):
        url = self.confirmation_link()
        path = url[len(self.event.get_base_url()) :]
        first_free = self.event._notify_manage_slots()[0].start
        # Customers get the page without any asset bundle; a browser test asks for
        # the tours (test mode and ?debug=tests).
        self.assertNotIn("/web/assets/", self.url_open(path).text)
        self.start_tour(f"{path}?debug=tests", "appointment_notify_links_manage", timeout=90)
        self.env.invalidate_all()
        self.assertEqual(self.event.start, first_free)
        self.assertEqual(self.event.booking_state, "cancelled")
        self.assertEqual(len(self.triggers("rescheduled")), 1)
        self.assertEqual(len(self.triggers("cancelled")), 1)
        self.assertIn("Cannot come after all", self.note("cancelled the appointment").body)
        self.assertIn("moved the appointment", self.note("moved the appointment").body)

    def test_assets_only_for_browser_tests(self):
        self.assertNotIn("/web/assets/", self.url_open(self.path).text)
        # Outside test mode, ?debug=tests loads nothing either.
        with patch.dict(config.options, {"test_enable": False}):
            self.assertNotIn("/web/assets/", self.url_open(f"{self.path}?debug=tests").text)
        self.assertIn("/web/assets/", self.url_open(f"{self.path}?debug=tests").text)
