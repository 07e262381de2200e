from odoo.tests import freeze_time, tagged

from ..models.appointment_notify_service import BookingUnavailable
from .common import NOW, BookingCase, local, starts

DAY = [f"{h:02d}:00" for h in range(9, 18)]


@freeze_time(NOW)
@tagged("post_install", "-at_install")
class TestSlots(BookingCase):
    def test_staff_hours_and_opening_hours(self):
        # Tuesday: the stylists work 9-18, both free every hour.
        slots = self.service._find_slots(local("2026-03-03 00:00"), local("2026-03-04 00:00"))
        self.assertEqual(starts(slots), [f"2026-03-03 {h}" for h in DAY])
        self.assertEqual(slots[0].staff, self.anna | self.ben)
        self.assertEqual(slots[0].stop, local("2026-03-03 10:00"))
        # Sunday: nobody works.
        self.assertEqual(self.day_slots("2026-03-08"), [])
        # The salon opens Tuesday to Saturday 10-17 only: the intersection.
        self.service.opening_calendar_id = self.make_calendar("Open", range(1, 6), 10, 17)
        self.assertEqual(
            self.day_slots("2026-03-03"), [f"2026-03-03 {h:02d}:00" for h in range(10, 17)]
        )
        self.assertEqual(self.day_slots("2026-03-09"), [], "closed on Monday")

    def test_staff_calendars_differ(self):
        mornings = self.make_calendar("Mornings", range(5), 9, 12)
        self.ben.calendar_id = mornings
        slots = self.service._find_slots(local("2026-03-03 00:00"), local("2026-03-04 00:00"))
        by_start = {s: slot.staff for s, slot in zip(starts(slots), slots, strict=True)}
        self.assertEqual(by_start["2026-03-03 09:00"], self.anna | self.ben)
        self.assertEqual(by_start["2026-03-03 11:00"], self.anna | self.ben)
        self.assertEqual(by_start["2026-03-03 12:00"], self.anna)
        self.assertEqual(
            self.day_slots("2026-03-03", staff=self.ben),
            ["2026-03-03 09:00", "2026-03-03 10:00", "2026-03-03 11:00"],
        )

    def test_public_holiday_and_personal_leave(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "date_from": local("2026-03-04 00:00"),
                "date_to": local("2026-03-04 23:59"),
                "company_id": self.company.id,
            }
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Anna: dentist",
                "resource_id": self.anna.id,
                "calendar_id": self.salon_hours.id,
                "date_from": local("2026-03-05 13:00"),
                "date_to": local("2026-03-05 18:00"),
            }
        )
        self.assertEqual(self.day_slots("2026-03-04"), [])
        self.assertEqual(self.day_slots("2026-03-03"), [f"2026-03-03 {h}" for h in DAY])
        thursday = self.service._find_slots(local("2026-03-05 00:00"), local("2026-03-06 00:00"))
        staff = {s: slot.staff for s, slot in zip(starts(thursday), thursday, strict=True)}
        self.assertEqual(staff["2026-03-05 12:00"], self.anna | self.ben)
        self.assertEqual(staff["2026-03-05 13:00"], self.ben, "Anna is on leave from 13:00")

    def test_busy_events_declined_and_free_ignored(self):
        self.busy(self.anna, local("2026-03-03 10:00"))
        declined = self.busy(self.anna, local("2026-03-03 12:00"))
        declined.attendee_ids.filtered(
            lambda a: a.partner_id == self.anna.user_id.partner_id
        ).do_decline()
        self.busy(self.anna, local("2026-03-03 14:00"), show_as="free")
        self.busy(self.anna, local("2026-03-03 15:30"), hours=0.5)
        cancelled = self.busy(self.anna, local("2026-03-03 16:00"))
        cancelled.booking_state = "cancelled"
        slots = self.day_slots("2026-03-03", staff=self.anna)
        self.assertNotIn("2026-03-03 10:00", slots)
        self.assertNotIn("2026-03-03 15:00", slots, "15:30-16:00 overlaps 15:00-16:00")
        for free in ("09:00", "11:00", "12:00", "14:00", "16:00"):
            self.assertIn(f"2026-03-03 {free}", slots)
        # Ben is not disturbed by Anna's events.
        self.assertEqual(len(self.day_slots("2026-03-03", staff=self.ben)), 9)

    def test_all_day_event_blocks_the_local_day(self):
        # Long days, 7-20 in Amsterdam: calendar stores all-day events as
        # 08:00-18:00 UTC, which would leave 7:00 and 19:00 free.
        self.anna.calendar_id = self.make_calendar("Long days", range(6), 7, 20)
        self.busy(
            self.anna,
            local("2026-03-03 00:00"),
            allday=True,
            start_date="2026-03-03",
            stop_date="2026-03-03",
        )
        self.assertEqual(self.day_slots("2026-03-03", staff=self.anna), [])
        self.assertEqual(len(self.day_slots("2026-03-04", staff=self.anna)), 13)

    def test_buffers(self):
        self.service.write({"buffer_before": 0.25, "buffer_after": 0.5, "slot_step": 0.25})
        self.busy(self.anna, local("2026-03-03 12:00"))
        slots = self.day_slots("2026-03-03", staff=self.anna)
        # A 1 h appointment needs 30 min after it before 12:00, and 15 min
        # after 13:00 before it starts.
        self.assertIn("2026-03-03 10:30", slots)
        self.assertNotIn("2026-03-03 10:45", slots)
        self.assertNotIn("2026-03-03 13:00", slots)
        self.assertIn("2026-03-03 13:15", slots)

    def test_min_notice_and_horizon(self):
        self.service.write({"min_notice_hours": 2, "max_days_ahead": 7})
        # Now is Monday 09:00: the first start is 11:00.
        self.assertEqual(self.day_slots("2026-03-02")[0], "2026-03-02 11:00")
        slots = self.service._find_slots(local("2026-03-02 00:00"), local("2026-04-02 00:00"))
        # The horizon is now + 7 days: Monday 9 March 09:00.
        self.assertEqual(starts(slots)[-1], "2026-03-09 09:00")
        with self.assertRaises(BookingUnavailable) as notice:
            self.service._check_slot(local("2026-03-02 10:00"))
        self.assertEqual(notice.exception.reason, "notice")
        self.assertIn("Too short notice", str(notice.exception))
        self.assertTrue(notice.exception.alternatives)
        with self.assertRaises(BookingUnavailable) as horizon:
            self.service._check_slot(local("2026-03-10 10:00"))
        self.assertEqual(horizon.exception.reason, "horizon")
        self.assertIn("Too far ahead", str(horizon.exception))

    def test_capacity_two(self):
        self.service.write({"capacity": 2, "staff_ids": [(6, 0, self.anna.ids)]})
        self.busy(self.anna, local("2026-03-03 10:00"))
        self.assertIn("2026-03-03 10:00", self.day_slots("2026-03-03"))
        self.busy(self.anna, local("2026-03-03 10:00"))
        self.assertNotIn("2026-03-03 10:00", self.day_slots("2026-03-03"))
        self.assertIn("2026-03-03 11:00", self.day_slots("2026-03-03"))

    def test_dst_switch_amsterdam(self):
        self.service.max_days_ahead = 365
        # 09:00 in Amsterdam is 08:00 UTC before the last Sunday of March and
        # 07:00 UTC after it; back to 08:00 UTC after the last Sunday of October.
        for day, first_utc in (
            ("2026-03-27", "2026-03-27 08:00:00"),
            ("2026-03-30", "2026-03-30 07:00:00"),
            ("2026-10-23", "2026-10-23 07:00:00"),
            ("2026-10-26", "2026-10-26 08:00:00"),
        ):
            slots = self.service._find_slots(local(f"{day} 00:00"), local(f"{day} 23:59"))
            self.assertEqual(str(slots[0].start), first_utc, day)
            self.assertEqual(starts(slots), [f"{day} {h}" for h in DAY], day)
        # Saturday 28 March: a normal day; Sunday 29: closed.
        self.assertEqual(len(self.day_slots("2026-03-28")), 9)
        self.assertEqual(self.day_slots("2026-03-29"), [])

    def test_staff_in_another_time_zone(self):
        new_york = self.make_calendar("New York", range(5), 9, 17, tz="America/New_York")
        self.ben.write({"calendar_id": new_york.id, "tz": "America/New_York"})
        slots = self.service._find_slots(
            local("2026-03-03 00:00"), local("2026-03-04 00:00"), staff=self.ben
        )
        # 9:00 in New York (EST, UTC-5) is 14:00 UTC, 15:00 in Amsterdam.
        self.assertEqual(str(slots[0].start), "2026-03-03 14:00:00")
        self.assertEqual(starts(slots)[:1], ["2026-03-03 15:00"])
        self.assertEqual(len(slots), 8)

    def test_suggest_nearest_before_and_after_same_staff_first(self):
        for hour in ("11:00", "12:00", "13:00"):
            self.busy(self.anna, local(f"2026-03-03 {hour}"))
        suggestions = self.service._suggest(local("2026-03-03 12:00"), staff=self.anna)
        self.assertEqual(
            starts(suggestions), ["2026-03-03 09:00", "2026-03-03 10:00", "2026-03-03 14:00"]
        )
        self.assertTrue(all(self.anna in s.staff for s in suggestions))
        # Anyone: Ben is free at 12:00 itself.
        self.assertIn("2026-03-03 12:00", starts(self.service._suggest(local("2026-03-03 12:00"))))

    def test_query_count_does_not_grow_with_staff(self):
        counts = {}
        for size in (2, 10):
            members = self.Resource.browse()
            for i in range(size):
                members |= self.make_staff(f"Q{size} Staff {i}", self.salon_hours)
            for member in members[:2]:
                self.busy(member, local("2026-03-03 10:00"))
            service = self.service.copy({"staff_ids": [(6, 0, members.ids)]})
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            slots = service._find_slots(local("2026-03-02 00:00"), local("2026-03-09 00:00"))
            counts[size] = self.env.cr.sql_log_count - before
            self.assertTrue(slots)
        self.assertEqual(counts[2], counts[10], counts)
        self.assertLessEqual(counts[10], 15, counts)
