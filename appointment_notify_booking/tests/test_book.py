from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from ..models.appointment_notify_service import BookingUnavailable
from .common import NOW, BookingCase, local, starts


@freeze_time(NOW)
@tagged("post_install", "-at_install")
class TestBook(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receptionist = new_test_user(
            cls.env, login="receptionist", groups="base.group_user", name="Receptionist"
        )

    def test_book_creates_one_appointment_that_notifies_once(self):
        self.make_rule("booked")
        event = self.service.with_user(self.receptionist)._book(
            self.customer, local("2026-03-03 10:00")
        )
        self.assertEqual(event.name, "Haircut - Ayla Customer")
        self.assertEqual(
            (event.start, event.stop), (local("2026-03-03 10:00"), local("2026-03-03 11:00"))
        )
        self.assertEqual(event.notify_service_id, self.service)
        self.assertEqual(event.notify_staff_id, self.anna, "first free staff member in order")
        self.assertEqual(event.user_id, self.anna.user_id)
        self.assertEqual(event.partner_ids, self.customer | self.anna.user_id.partner_id)
        self.assertFalse(event.notify_staff_over_capacity)
        self.assertEqual(len(self.messages(event, trigger="booked")), 1)
        self.assertEqual(self.messages(event).partner_id, self.customer, "staff are not notified")

    def test_confirmed_or_awaiting_per_company_setting(self):
        self.make_rule("confirmed")
        self.make_rule("awaiting")
        self.make_rule("rescheduled")
        confirmed = self.service._book(self.customer, local("2026-03-03 10:00"))
        self.company.notify_manual_confirmation = True
        awaiting = self.service._book(self.customer2, local("2026-03-03 10:00"))
        self.assertEqual(confirmed.booking_state, "confirmed")
        self.assertEqual(awaiting.booking_state, "awaiting")
        self.assertEqual(self.messages(confirmed).mapped("trigger"), ["confirmed"])
        self.assertEqual(self.messages(awaiting).mapped("trigger"), ["awaiting"])
        # Moving it through the engine tells the customer once.
        self.service._reschedule(confirmed, local("2026-03-03 14:00"))
        self.assertEqual(self.messages(confirmed).mapped("trigger"), ["confirmed", "rescheduled"])

    def test_book_refuses_taken_slot_with_alternatives(self):
        self.service.staff_ids = self.anna
        self.service._book(self.customer, local("2026-03-03 10:00"))
        with self.assertRaises(BookingUnavailable) as refused:
            self.service._book(self.customer2, local("2026-03-03 10:00"))
        self.assertEqual(refused.exception.reason, "taken")
        self.assertIn("just taken", str(refused.exception))
        self.assertEqual(
            starts(refused.exception.alternatives),
            ["2026-03-03 09:00", "2026-03-03 11:00", "2026-03-03 12:00"],
        )
        self.assertEqual(self.Event.search_count([("notify_service_id", "=", self.service.id)]), 1)

    def test_book_outside_working_hours(self):
        with self.assertRaises(BookingUnavailable) as refused:
            self.service._book(self.customer, local("2026-03-03 17:30"))
        self.assertEqual(refused.exception.reason, "closed")
        self.assertIn("outside working hours", str(refused.exception))
        self.assertEqual(starts(refused.exception.alternatives)[-1], "2026-03-04 09:00")

    def test_any_minute_inside_hours_is_bookable(self):
        event = self.service._book(self.customer, local("2026-03-03 10:10"))
        self.assertEqual(event.start, local("2026-03-03 10:10"))

    def test_assignment_sequence_then_next_then_refusal(self):
        at = local("2026-03-03 10:00")
        first = self.service._book(self.customer, at)
        second = self.service._book(self.customer2, at)
        self.assertEqual((first.notify_staff_id, second.notify_staff_id), (self.anna, self.ben))
        with self.assertRaises(BookingUnavailable):
            self.service._book(self.customer, at)

    def test_assignment_least_loaded_and_customer_choice(self):
        self.service.assignment = "least_loaded"
        self.busy(self.anna, local("2026-03-03 15:00"))
        event = self.service._book(self.customer, local("2026-03-03 10:00"))
        self.assertEqual(event.notify_staff_id, self.ben, "Anna has more on that day")
        self.service.assignment = "customer"
        chosen = self.service._book(self.customer2, local("2026-03-03 12:00"), staff=self.ben)
        self.assertEqual(chosen.notify_staff_id, self.ben)
        self.service.staff_ids = self.anna
        with self.assertRaisesRegex(BookingUnavailable, "Ben Stylist does not perform Haircut"):
            self.service._book(self.customer2, local("2026-03-03 14:00"), staff=self.ben)

    def test_override_only_for_managers(self):
        self.service.staff_ids = self.anna
        self.service._book(self.customer, local("2026-03-03 10:00"))
        with self.assertRaises(AccessError):
            self.service.with_user(self.receptionist)._book(
                self.customer2, local("2026-03-03 10:00"), override=True
            )
        forced = self.service._book(self.customer2, local("2026-03-03 10:00"), override=True)
        self.assertEqual(forced.notify_staff_id, self.anna)
        self.assertTrue(forced.notify_staff_over_capacity)

    def test_reschedule(self):
        self.service.staff_ids = self.anna
        event = self.service._book(self.customer, local("2026-03-03 10:00"))
        self.service._book(self.customer2, local("2026-03-03 12:00"))
        # Half an hour later overlaps only the event itself: allowed.
        self.service._reschedule(event, local("2026-03-03 10:30"))
        self.assertEqual(event.start, local("2026-03-03 10:30"))
        with self.assertRaises(BookingUnavailable) as refused:
            self.service._reschedule(event, local("2026-03-03 12:00"))
        self.assertEqual(refused.exception.reason, "taken")
        self.assertEqual(event.start, local("2026-03-03 10:30"))
        # To Ben: he attends instead of Anna.
        self.service.staff_ids |= self.ben
        self.service._reschedule(event, local("2026-03-03 12:00"), staff=self.ben)
        self.assertEqual(event.notify_staff_id, self.ben)
        self.assertEqual(event.partner_ids, self.customer | self.ben.user_id.partner_id)

    def test_customer_in_another_time_zone(self):
        tokyo = self.env["res.partner"].create({"name": "Kenji", "tz": "Asia/Tokyo"})
        event = self.service._book(tokyo, local("2026-03-03 10:00"))
        # Stored in UTC whatever the customer's zone; 10:00 Amsterdam = 18:00 Tokyo,
        # which is what the customer's messages say.
        self.assertEqual(str(event.start), "2026-03-03 09:00:00")
        self.assertIn(tokyo, event.partner_ids)
        context = event._notify_render_context(tokyo)
        self.assertRegex(context["when"], r"^Tuesday, March 3, 2026 6:00\sPM$")
        self.assertEqual((context["service"], context["staff"]), ("Haircut", "Anna Stylist"))

    def test_rule_targets_one_service(self):
        colouring = self.service.copy({"name": "Colouring", "duration": 1.5})
        self.make_rule("booked", filter_domain=f"[('notify_service_id', '=', {colouring.id})]")
        haircut = self.service._book(self.customer, local("2026-03-03 10:00"))
        colour = colouring._book(self.customer2, local("2026-03-03 10:00"))
        self.assertEqual(colour.stop, local("2026-03-03 11:30"))
        self.assertFalse(self.messages(haircut))
        self.assertEqual(len(self.messages(colour, trigger="booked")), 1)

    def test_book_for_partner_rpc_refuses_portal_users(self):
        portal = new_test_user(self.env, login="portal_booker", groups="base.group_portal")
        seq = self.anna.booking_seq
        with self.assertRaises(AccessError):
            self.service.with_user(portal).book_for_partner(self.customer.id, "2026-03-03 09:00:00")
        self.assertEqual(self.anna.booking_seq, seq)

    def test_book_for_partner_rpc(self):
        self.service.staff_ids = self.anna
        ok = self.service.book_for_partner(self.customer.id, "2026-03-03 09:00:00")
        self.assertTrue(self.Event.browse(ok["event_id"]).exists())
        seq = self.anna.booking_seq
        refused = self.service.book_for_partner(self.customer2.id, "2026-03-03 09:00:00")
        self.assertEqual(refused["reason"], "taken")
        self.assertEqual(
            [alt["start"] for alt in refused["alternatives"]],
            ["2026-03-03 08:00:00", "2026-03-03 10:00:00", "2026-03-03 11:00:00"],
        )
        self.assertEqual(refused["alternatives"][0]["staff_ids"], self.anna.ids)
        self.anna.invalidate_recordset()
        self.assertEqual(self.anna.booking_seq, seq, "a refusal changes nothing")

    def test_find_or_create_customer_by_phone(self):
        self.company.country_id = self.env.ref("base.nl")
        Partner = self.env["res.partner"]
        receptionist = Partner.with_user(self.receptionist)
        created = receptionist._notify_booking_find_or_create("Lotte", "06 1234 5678", lang="en_US")
        self.assertEqual(created.phone_sanitized, "+31612345678")
        self.assertEqual(created.env.user, self.receptionist)
        self.assertEqual(Partner._notify_booking_find_or_create("", "+31 6 12345678"), created)
        with self.assertRaisesRegex(UserError, "not a valid phone number"):
            Partner._notify_booking_find_or_create("X", "12")
        with self.assertRaisesRegex(UserError, "name of the new customer"):
            Partner._notify_booking_find_or_create("", "+31 6 87654321")
