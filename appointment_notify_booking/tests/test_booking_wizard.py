from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from odoo.addons.appointment_notify.tests.common import NOW, NotifyCase

# Tuesday 3 March 2026, 10:00 in Amsterdam (UTC+1): inside the staff's hours.
TUESDAY_10 = datetime(2026, 3, 3, 9, 0)


def weekdays_calendar(env, name, tz="Europe/Amsterdam"):
    """Monday to Saturday, 9:00-18:00 in ``tz``."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": tz,
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 9,
                        "hour_to": 18,
                        "day_period": "morning",
                    }
                )
                for day in range(6)
            ],
        }
    )


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify_booking")
class TestBookingWizard(NotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.nl")
        calendar = weekdays_calendar(cls.env, "Salon hours")
        cls.stylist_a = new_test_user(
            cls.env, login="stylist_a", groups="base.group_user", name="Stylist Anna"
        )
        cls.stylist_b = new_test_user(
            cls.env, login="stylist_b", groups="base.group_user", name="Stylist Berk"
        )
        cls.anna, cls.berk = cls.env["resource.resource"].create(
            [
                {
                    "name": user.name,
                    "user_id": user.id,
                    "resource_type": "user",
                    "calendar_id": calendar.id,
                    "tz": "Europe/Amsterdam",
                }
                for user in (cls.stylist_a, cls.stylist_b)
            ]
        )
        cls.service = cls.env["appointment.notify.service"].create(
            {
                "name": "Haircut",
                "duration": 1.0,
                "slot_step": 0.5,
                "staff_ids": [Command.set((cls.anna | cls.berk).ids)],
            }
        )
        cls.receptionist = new_test_user(
            cls.env,
            login="receptionist",
            groups="base.group_user,base.group_partner_manager",
            name="Desk Receptionist",
        )
        cls.manager = new_test_user(
            cls.env,
            login="booking_manager",
            groups="base.group_user,base.group_partner_manager,appointment_notify.group_notify_admin",
            name="Salon Manager",
        )
        cls.Wizard = cls.env["appointment.notify.booking.wizard"]

    def wizard(self, user=None, **values):
        env = self.env(user=user or self.receptionist)
        form = Form(env["appointment.notify.booking.wizard"])
        form.customer_phone = values.pop("customer_phone", "+31 6 11111111")
        if "customer_name" in values or not form.customer_name:
            form.customer_name = values.pop("customer_name", "Cem Customer")
        form.service_id = self.service.with_env(env)
        form.start = values.pop("start", TUESDAY_10)
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def occupy(self, resource, start=TUESDAY_10, hours=1):
        """A busy appointment of ``resource``'s user."""
        return self.make_event(
            start=start, hours=hours, partners=resource.user_id.partner_id, name="Busy"
        )

    def test_fits(self):
        wizard = self.wizard()
        self.assertEqual(wizard.duration, 1.0, "the duration comes from the service")
        wizard.action_check()
        self.assertEqual(wizard.availability, "fits")
        self.assertIn("Stylist Anna", wizard.availability_message)
        self.assertFalse(wizard.alternative_ids)

    def test_conflict_lists_alternatives(self):
        self.occupy(self.anna)
        wizard = self.wizard(staff_id=self.anna)
        wizard.action_check()
        self.assertEqual(wizard.availability, "conflict")
        self.assertIn("just taken", wizard.availability_message)
        self.assertTrue(wizard.alternative_ids)
        for line in wizard.alternative_ids:
            self.assertFalse(
                line.start < TUESDAY_10 + timedelta(hours=1)
                and line.stop > TUESDAY_10
                and line.staff_id == self.anna,
                "an alternative never overlaps Anna's busy hour with Anna",
            )
        self.assertEqual(
            wizard.alternative_ids[0].staff_id, self.anna, "the same staff member comes first"
        )

    def test_pick_alternative(self):
        self.occupy(self.anna)
        wizard = self.wizard(staff_id=self.anna)
        wizard.action_check()
        line = wizard.alternative_ids[0]
        picked_start, picked_staff = line.start, line.staff_id
        # The web client calls a line's button with the line as active record.
        button_context = {"active_model": line._name, "active_id": line.id}
        action = line.with_context(**button_context).action_pick()
        self.assertEqual(action["res_id"], wizard.id)
        self.assertEqual(wizard.start, picked_start)
        self.assertEqual(wizard.staff_id, picked_staff)
        self.assertEqual(wizard.availability, "fits")
        self.assertFalse(wizard.alternative_ids)
        action = wizard.with_context(**button_context).action_book()
        event = self.env["calendar.event"].browse(action["res_id"])
        self.assertEqual((event.start, event.notify_staff_id), (picked_start, picked_staff))
        self.assertFalse(event.res_model, "the appointment is not linked to the picked line")

    def test_book_creates_one_event_with_notifications_once(self):
        self.make_rule("booked")
        Event = self.env["calendar.event"]
        before = Event.search([])
        wizard = self.wizard(staff_id=self.berk)
        action = wizard.action_book()
        event = Event.search([]) - before
        self.assertEqual(len(event), 1)
        self.assertEqual(action["res_model"], "calendar.event")
        self.assertEqual(action["res_id"], event.id)
        customer = self.env["res.partner"].search([("phone_sanitized", "=", "+31611111111")])
        self.assertEqual(customer.name, "Cem Customer")
        self.assertEqual(event.partner_ids, customer | self.stylist_b.partner_id)
        self.assertEqual(event.notify_service_id, self.service)
        self.assertEqual(event.notify_staff_id, self.berk)
        self.assertEqual((event.start, event.stop), (TUESDAY_10, TUESDAY_10 + timedelta(hours=1)))
        messages = self.messages(event)
        self.assertEqual(len(messages), 1, "the booked notification is planned once")
        self.assertEqual(messages.partner_id, customer)

    def test_conflict_refused_for_a_normal_user(self):
        taken = self.occupy(self.anna)
        Event, Partner = self.env["calendar.event"], self.env["res.partner"]
        events, partners = Event.search_count([]), Partner.search_count([])
        wizard = self.wizard(staff_id=self.anna, customer_phone="+31 6 22222222")
        action = wizard.action_book()
        self.assertEqual(action["res_model"], wizard._name, "the form stays open")
        self.assertEqual(wizard.availability, "conflict")
        self.assertIn("just taken", wizard.availability_message)
        self.assertTrue(wizard.alternative_ids)
        self.assertEqual(Event.search_count([]), events, "no appointment")
        self.assertEqual(Partner.search_count([]), partners, "no customer left behind")
        self.assertEqual(taken.partner_ids, self.stylist_a.partner_id)
        # Ticking "override" does not help a user who may not override.
        wizard.override = True
        with self.assertRaises(AccessError):
            wizard.action_book()
        self.assertEqual(Event.search_count([]), events)

    def test_override_allowed_for_a_manager(self):
        self.occupy(self.anna)
        wizard = self.wizard(user=self.manager, staff_id=self.anna, override=True)
        action = wizard.action_book()
        event = self.env["calendar.event"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "calendar.event")
        self.assertEqual(event.notify_staff_id, self.anna)
        self.assertEqual(event.start, TUESDAY_10)
        self.assertTrue(event.notify_staff_over_capacity, "the event form warns")

    def test_phone_finds_existing_customer(self):
        existing = self.env["res.partner"].create(
            {"name": "Deniz Demir", "phone": "+31 6 12345678", "lang": "en_US"}
        )
        partners = self.env["res.partner"].search_count([])
        # The receptionist types the national format; the customer is recognised.
        wizard = self.wizard(customer_phone="06 12345678")
        self.assertEqual(wizard.partner_id, existing)
        self.assertEqual(wizard.customer_name, "Deniz Demir")
        action = wizard.action_book()
        event = self.env["calendar.event"].browse(action["res_id"])
        self.assertIn(existing, event.partner_ids)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
