from odoo import models

from .calendar_event import KEEP_UNSHARED


class CalendarRecurrence(models.Model):
    _inherit = "calendar.recurrence"

    def _write_from_google(self, gevent, vals):
        """A series changed in Google is one edit, announced at most once.

        Google's sync deletes and recreates the events of a series whose times
        or rule changed: like a series edited in Odoo, that moves reminders but
        announces no cancellations and new bookings. A move of the series is
        announced once per customer, on its first event.
        """
        before = {rec.id: rec.base_event_id._notify_google_times() for rec in self}
        quiet = self.with_context(appointment_notify_silent=True, **{KEEP_UNSHARED: True})
        res = super(CalendarRecurrence, quiet)._write_from_google(gevent, vals)
        for recurrence in self.exists():
            base = recurrence.base_event_id
            if base and before[recurrence.id] not in (None, base._notify_google_times()):
                self.env["appointment.notify.message"].sudo()._cancel_pending(
                    base,
                    triggers=["rescheduled"],
                    reason=self.env._("Superseded by a later change."),
                )
                base._notify_plan(["rescheduled"])
        return res
