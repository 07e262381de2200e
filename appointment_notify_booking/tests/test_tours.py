from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.appointment_notify.tests.common import ScreenshotTourMixin


@tagged("post_install", "-at_install", "appointment_notify_booking")
class TestBookingTour(ScreenshotTourMixin, HttpCase):
    def test_receptionist_books_by_phone(self):
        # Open around the clock, so that the tour does not depend on today's weekday.
        always = self.env["resource.calendar"].create(
            {
                "name": "Always open",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 0,
                            "hour_to": 24,
                            "day_period": "full_day",
                        }
                    )
                    for day in range(7)
                ],
            }
        )
        stylist = new_test_user(self.env, login="tour_anna", name="Tour Anna")
        anna = self.env["resource.resource"].create(
            {
                "name": "Tour Anna",
                "user_id": stylist.id,
                "resource_type": "user",
                "calendar_id": always.id,
            }
        )
        self.env["appointment.notify.service"].create(
            {"name": "Tour Haircut", "duration": 1.0, "staff_ids": [Command.set(anna.ids)]}
        )
        asked = self.env["appointment.notify.booking.wizard"]._default_start()
        self.env["calendar.event"].create(
            {
                "name": "Already booked",
                "start": asked - timedelta(hours=1),
                "stop": asked + timedelta(hours=2),
                "partner_ids": [Command.set(stylist.partner_id.ids)],
            }
        )
        new_test_user(
            self.env,
            login="receptionist",
            groups="base.group_user,base.group_partner_manager",
            name="Desk Receptionist",
        )
        self.start_tour(
            "/odoo/calendar", "appointment_notify_booking_by_phone", login="receptionist"
        )
        customer = self.env["res.partner"].search([("phone_sanitized", "=", "+31623456789")])
        self.assertEqual(customer.name, "Deniz Demir")
        event = self.env["calendar.event"].search([("partner_ids", "in", customer.ids)])
        self.assertEqual(len(event), 1)
        self.assertEqual(event.notify_staff_id, anna)
        self.assertFalse(event.res_model, "not linked to the form's alternative line")
        self.assertTrue(
            event.stop <= asked - timedelta(hours=1) or event.start >= asked + timedelta(hours=2),
            "booked at the picked alternative, outside the taken hours",
        )
