from datetime import datetime, timedelta

import pytz

from odoo.tests import new_test_user

from odoo.addons.appointment_notify.tests.common import NotifyCase

AMS = pytz.timezone("Europe/Amsterdam")
# Monday 2 March 2026, 09:00 in Amsterdam (CET, UTC+1).
NOW = "2026-03-02 08:00:00"


def local(text, tz=AMS):
    """'2026-03-03 10:00' in ``tz`` as naive UTC, the way Odoo stores datetimes."""
    dt = tz.localize(datetime.strptime(text, "%Y-%m-%d %H:%M"))
    return dt.astimezone(pytz.utc).replace(tzinfo=None)


def starts(slots, tz=AMS):
    """Slot starts as local 'YYYY-MM-DD HH:MM' strings, for readable asserts."""
    return [pytz.utc.localize(s.start).astimezone(tz).strftime("%Y-%m-%d %H:%M") for s in slots]


class BookingCase(NotifyCase):
    """A salon in Amsterdam: Monday to Saturday 9-18, two stylists, a 1 h service."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Service = cls.env["appointment.notify.service"]
        cls.Resource = cls.env["resource.resource"]
        cls.env["resource.calendar.leaves"].search([]).unlink()
        cls.salon_hours = cls.make_calendar("Salon hours", range(6), 9, 18)
        cls.anna = cls.make_staff("Anna Stylist", cls.salon_hours)
        cls.ben = cls.make_staff("Ben Stylist", cls.salon_hours)
        cls.service = cls.Service.create(
            {
                "name": "Haircut",
                "duration": 1.0,
                "slot_step": 1.0,
                "staff_ids": [(6, 0, (cls.anna | cls.ben).ids)],
                "company_id": cls.company.id,
            }
        )

    @classmethod
    def make_calendar(cls, name, weekdays, hour_from, hour_to, tz="Europe/Amsterdam"):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "company_id": cls.company.id,
                "attendance_ids": [(5, 0, 0)]
                + [
                    (
                        0,
                        0,
                        {
                            "name": f"{name} {day}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": "morning" if hour_to <= 12 else "afternoon",
                        },
                    )
                    for day in weekdays
                ],
            }
        )

    @classmethod
    def make_staff(cls, name, calendar, tz=None):
        login = name.lower().replace(" ", "_")
        user = new_test_user(
            cls.env, login=login, groups="base.group_user", name=name, email=f"{login}@x.example"
        )
        return cls.env["resource.resource"].create(
            {
                "name": name,
                "resource_type": "user",
                "user_id": user.id,
                "calendar_id": calendar.id,
                "tz": tz or calendar.tz,
                "company_id": cls.company.id,
            }
        )

    def busy(self, member, start, hours=1.0, **values):
        """A calendar event the staff member attends."""
        return self.Event.create(
            {
                "name": "Busy",
                "start": start,
                "stop": start + timedelta(hours=hours),
                "partner_ids": [(6, 0, member.user_id.partner_id.ids)],
                "user_id": member.user_id.id,
                **values,
            }
        )

    def day_slots(self, day, service=None, **kwargs):
        """Local starts of the free slots of one local day."""
        service = service or self.service
        return starts(service._find_slots(local(f"{day} 00:00"), local(f"{day} 23:59"), **kwargs))
