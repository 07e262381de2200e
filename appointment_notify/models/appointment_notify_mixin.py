from datetime import datetime, time

import pytz
from babel import dates as babel_dates

from odoo import api, fields, models
from odoo.tools.misc import babel_locale_parse

# Triggers planned relative to the appointment rather than to a change.
TIMED_TRIGGERS = ("reminder", "followup")


class AppointmentNotifyMixin(models.AbstractModel):
    """A record whose customers rules notify (calendar.event, repair.order).

    A source model inherits this mixin, implements the ``_notify_*`` getters
    and calls ``_notify_after_create()``, ``_notify_snapshot()`` /
    ``_notify_after_write()`` and ``_notify_before_unlink()`` from its own
    create(), write() and unlink(). Hooks only plan, move or cancel
    messages: sending is the dispatcher's job, outside the user's transaction.
    """

    _name = "appointment.notify.mixin"
    _description = "Customer notification source"

    # Field holding the record's status, compared before and after write().
    _notify_status_field = None
    # Fields whose change may move reminders, follow-ups or customers.
    _notify_watched_fields = ()

    notify_message_ids = fields.One2many(
        "appointment.notify.message",
        "res_id",
        string="Customer notifications",
        domain=lambda self: [("res_model", "=", self._name)],
        groups="appointment_notify.group_notify_user",
    )
    notify_message_count = fields.Integer(
        compute="_compute_notify_message_count",
        groups="appointment_notify.group_notify_user",
    )

    def _compute_notify_message_count(self):
        counts = dict(
            self.env["appointment.notify.message"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id"],
                ["__count"],
            )
        )
        for record in self:
            record.notify_message_count = counts.get(record.id, 0)

    # ------------------------------------------------------------------
    # getters a source model overrides
    # ------------------------------------------------------------------

    def _notify_customers(self):
        """The partners to notify for this record (one record)."""
        return self.env["res.partner"]

    def _notify_company(self):
        return self.env.company

    def _notify_start(self):
        """Start of the appointment (reminders count back from it), or False."""
        return False

    def _notify_end(self):
        """End of the appointment (follow-ups count from it), or False."""
        return False

    def _notify_status(self):
        return self[self._notify_status_field] if self._notify_status_field else False

    @api.model
    def _notify_status_triggers(self):
        """{status value: trigger} for the statuses that have a trigger of their own."""
        return {}

    @api.model
    def _notify_cancel_statuses(self):
        """Statuses that make pending reminders and follow-ups pointless."""
        return set()

    @api.model
    def _notify_status_selection(self):
        field = self._fields.get(self._notify_status_field)
        return field._description_selection(self.env) if field else []

    def _notify_status_label(self):
        """The record's status in words, in the context's language."""
        return dict(self._notify_status_selection()).get(self._notify_status(), "")

    def _notify_customer_note(self):
        return False

    def _notify_attachments(self, partner, trigger):
        """Files the e-mail for ``trigger`` carries: [(file name, bytes)]."""
        return []

    def _notify_timezone(self, partner):
        calendar = self._notify_company()._notify_calendar()
        return partner.tz or calendar.tz or self.env.user.tz or "UTC"

    def _notify_is_all_day(self):
        return False

    def _notify_render_context(self, partner):
        """Variables the templates get besides ``object``: what differs per customer."""
        tz = self._notify_timezone(partner)
        lang = partner.lang or self.env.lang or "en_US"
        start = self._notify_start()
        company = self._notify_company()
        when = self._notify_format_when(start, tz, lang) if start else ""
        return {
            "customer": partner,
            "company": company,
            "when": when,
            "customer_tz": tz,
            "note": self._notify_customer_note() or "",
            "status": self.with_context(lang=lang)._notify_status_label(),
        }

    def _notify_format_when(self, moment, tz, lang):
        """'woensdag 4 maart 2026 10:00' in the customer's language and zone."""
        locale = babel_locale_parse(lang)
        zone = self._notify_event_zone() if self._notify_is_all_day() else tz
        local = pytz.utc.localize(moment).astimezone(pytz.timezone(zone or "UTC"))
        day = babel_dates.format_date(local, "full", locale=locale)
        if self._notify_is_all_day():
            return day
        return f"{day} {babel_dates.format_time(local, 'short', locale=locale)}"

    def _notify_event_zone(self):
        """Time zone in which all-day appointments start at midnight."""
        return self._notify_company()._notify_calendar().tz or "UTC"

    # ------------------------------------------------------------------
    # hooks called from create(), write(), unlink()
    # ------------------------------------------------------------------

    def _notify_after_create(self):
        if self.env.context.get("appointment_notify_silent"):
            self._notify_plan(["reminder", "followup"])
            return
        status_triggers = self._notify_status_triggers()
        for record in self:
            status = record._notify_status()
            triggers = ["booked", "reminder", "followup"]
            if status:
                triggers += [status_triggers.get(status), "status_changed", "status_set"]
            record._notify_plan(triggers)

    def _notify_snapshot(self, vals):
        """What write() may change that matters to notifications, before it does."""
        watched = set(self._notify_watched_fields) | {"active"}
        if self._notify_status_field:
            watched.add(self._notify_status_field)
        if not watched & set(vals):
            return {}
        return {
            record.id: {
                "status": record._notify_status(),
                "start": record._notify_start(),
                "end": record._notify_end(),
                "active": record.active if "active" in record._fields else True,
                "customers": record._notify_customers(),
            }
            for record in self
        }

    def _notify_after_write(self, snapshot):
        if not snapshot:
            return
        silent = self.env.context.get("appointment_notify_silent")
        status_triggers = self._notify_status_triggers()
        cancel_statuses = self._notify_cancel_statuses()
        Message = self.env["appointment.notify.message"].sudo()
        for record in self.exists():
            old = snapshot.get(record.id)
            if not old:
                continue
            if old["active"] and "active" in record._fields and not record.active:
                record._notify_on_archive()
                continue
            status = record._notify_status()
            if status != old["status"]:
                if status in cancel_statuses:
                    Message._cancel_pending(
                        record,
                        reason=self.env._("Status changed to %s.", record._notify_status_label()),
                    )
                if not silent:
                    record._notify_plan(
                        [status_triggers.get(status), "status_changed", "status_set"]
                    )
            if record._notify_status() in cancel_statuses:
                continue
            customers = record._notify_customers()
            removed = old["customers"] - customers
            if removed:
                Message._cancel_pending(
                    record,
                    partners=removed,
                    reason=self.env._("No longer a customer of this booking."),
                )
            moved = (record._notify_start(), record._notify_end()) != (old["start"], old["end"])
            if moved:
                Message._move_pending(record)
                if not silent:
                    Message._cancel_pending(
                        record,
                        triggers=["rescheduled"],
                        reason=self.env._("Superseded by a later change."),
                    )
                    record._notify_plan(["rescheduled"])
                record._notify_plan(list(TIMED_TRIGGERS))
            added = customers - old["customers"]
            if added and not silent:
                status_trigger = status_triggers.get(status)
                record._notify_plan(["booked", status_trigger, *TIMED_TRIGGERS], partners=added)

    def _notify_on_archive(self):
        """Archiving counts as a cancellation; models with a status override this."""
        self.env["appointment.notify.message"].sudo()._cancel_pending(
            self, reason=self.env._("The record was archived.")
        )
        self._notify_plan(["cancelled"])

    def _notify_before_unlink(self):
        """Deleting counts as a cancellation: render those messages now, while we can."""
        Message = self.env["appointment.notify.message"].sudo()
        cancel_statuses = self._notify_cancel_statuses()
        for record in self:
            Message._cancel_pending(record, reason=self.env._("The record was deleted."))
            if record._notify_status() in cancel_statuses:
                continue
            if "active" in record._fields and not record.active:
                continue
            if not self.env.context.get("appointment_notify_silent"):
                record.with_context(appointment_notify_prerender=True)._notify_plan(["cancelled"])

    # ------------------------------------------------------------------
    # planning
    # ------------------------------------------------------------------

    def _notify_plan(self, triggers, partners=None):
        """Create the messages the active rules want for these triggers."""
        triggers = [t for t in triggers if t]
        if not triggers or not self:
            return self.env["appointment.notify.message"]
        rules = (
            self.env["appointment.notify.rule"]
            .sudo()
            .search([("res_model", "=", self._name), ("trigger", "in", triggers)])
        )
        if not rules:
            return self.env["appointment.notify.message"]
        vals_list = []
        for record in self:
            company = record._notify_company()
            record_rules = rules.filtered(lambda r, c=company: r.company_id == c)
            record_rules = record_rules.filtered(
                lambda r, rec=record: (
                    r.trigger != "status_set" or r.status_value == rec._notify_status()
                )
            )
            if not record_rules:
                continue
            customers = record._notify_customers()
            if partners is not None:
                customers &= partners
            for rule in record_rules:
                if not rule._matches(record):
                    continue
                for partner in customers:
                    vals = rule._prepare_message_values(record, partner)
                    if vals:
                        vals_list.append(vals)
        messages = self.env["appointment.notify.message"].sudo()._create_unique(vals_list)
        if self.env.context.get("appointment_notify_prerender"):
            messages._prerender()
        return messages

    @api.model
    def _notify_localize(self, day, tz_name, end=False):
        """The first (or last) moment of a date in a time zone, as naive UTC."""
        tz = pytz.timezone(tz_name or "UTC")
        moment = datetime.combine(day, time.max if end else time.min)
        return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)
