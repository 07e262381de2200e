from datetime import timedelta

import pytz

from odoo import api, fields, models

try:
    import vobject
except ImportError:  # optional for calendar too: no .ics without it
    vobject = None

BOOKING_STATES = [
    ("awaiting", "Awaiting confirmation"),
    ("confirmed", "Confirmed"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]


class CalendarEvent(models.Model):
    _name = "calendar.event"
    _inherit = ["calendar.event", "appointment.notify.mixin"]

    _notify_status_field = "booking_state"
    _notify_watched_fields = (
        "start",
        "stop",
        "allday",
        "start_date",
        "stop_date",
        "partner_ids",
        "attendee_ids",
        "user_id",
    )

    booking_state = fields.Selection(
        BOOKING_STATES,
        string="Booking status",
        default=lambda self: self._default_booking_state(),
        required=True,
        tracking=True,
        copy=False,
    )
    notify_customer_note = fields.Text(
        string="Note for the customer",
        help="Added to the messages this appointment sends, e.g. 'bring last visit's list'.",
    )
    notify_ics_sequence = fields.Integer(
        string="Calendar file revision",
        default=0,
        copy=False,
        help="SEQUENCE of the .ics the customers get: raised when the time changes or "
        "the booking is cancelled, so their calendar app updates the same entry.",
    )

    # ------------------------------------------------------------------
    # CRUD: detect the changes that notify
    # ------------------------------------------------------------------

    @api.model
    def _default_booking_state(self):
        # While the module installs, existing events become 'confirmed': the
        # company setting's column does not exist yet.
        if not self.env.registry.ready:
            return "confirmed"
        return "awaiting" if self.env.company.notify_manual_confirmation else "confirmed"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events._notify_after_create()
        return events

    def write(self, vals):
        snapshot = self._notify_snapshot(vals)
        events = self
        if vals.get("recurrence_update") in ("all_events", "future_events"):
            # Calendar deletes and recreates the series' events: that is one
            # booking being edited, not cancellations and new bookings.
            events = self.with_context(appointment_notify_silent=True)
        res = super(CalendarEvent, events).write(vals)
        events._notify_after_write(snapshot)
        self._notify_bump_ics_sequence(snapshot)
        return res

    def unlink(self):
        self._notify_before_unlink()
        return super().unlink()

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    # Buttons and integrators (XML-RPC cannot marshal None) get True back.
    def action_notify_confirm(self):
        self.write({"booking_state": "confirmed"})
        return True

    def action_notify_reject(self):
        self.write({"booking_state": "rejected"})
        return True

    def action_notify_cancel(self):
        self.write({"booking_state": "cancelled"})
        return True

    def action_view_notify_messages(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "appointment_notify.appointment_notify_message_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # appointment.notify.mixin
    # ------------------------------------------------------------------

    def _notify_customers(self):
        """Attendees who are not internal users: staff are not texted."""
        self.ensure_one()
        partners = self.sudo().partner_ids
        internal = partners.user_ids.filtered(lambda u: not u.share).partner_id
        return (partners - internal - self.sudo().user_id.partner_id).with_env(self.env)

    def _notify_company(self):
        return self.sudo().user_id.company_id or self.env.company

    def _notify_is_all_day(self):
        return self.allday

    def _notify_event_zone(self):
        return self.event_tz or super()._notify_event_zone()

    def _notify_start(self):
        if self.allday and self.start_date:
            return self._notify_localize(self.start_date, self._notify_event_zone())
        return self.start

    def _notify_end(self):
        if self.allday and self.stop_date:
            return self._notify_localize(self.stop_date, self._notify_event_zone(), end=True)
        return self.stop

    def _notify_customer_note(self):
        return self.notify_customer_note

    @api.model
    def _notify_status_triggers(self):
        return {state: state for state, _label in BOOKING_STATES}

    @api.model
    def _notify_cancel_statuses(self):
        return {"rejected", "cancelled"}

    def _notify_on_archive(self):
        self.filtered(lambda e: e.booking_state not in ("rejected", "cancelled")).write(
            {"booking_state": "cancelled"}
        )

    def _notify_render_context(self, partner):
        ctx = super()._notify_render_context(partner)
        ctx["location"] = self.location or ""
        return ctx

    # ------------------------------------------------------------------
    # one voice: Odoo's calendar SMS reminders and our .ics
    # ------------------------------------------------------------------

    def _message_sms_with_template(
        self, template=False, template_xmlid=False, template_fallback="", partner_ids=False, **kw
    ):
        """calendar_sms's alarm reminders (its only use on events) skip customers.

        Defined by the sms addon on mail.thread: harmless when sms is not installed,
        as nothing calls it then.
        """
        if partner_ids:
            customers = self._notify_customers().ids
            kept = [pid for pid in partner_ids if pid not in customers]
            if not kept:
                return self.env["mail.message"]
            partner_ids = kept
        return super()._message_sms_with_template(
            template=template,
            template_xmlid=template_xmlid,
            template_fallback=template_fallback,
            partner_ids=partner_ids,
            **kw,
        )

    def _message_add_default_recipients(self):
        """Calendar's "Delete & Send" e-mail (default recipients) skips customers."""
        found = super()._message_add_default_recipients()
        if self.env.context.get("appointment_notify_staff_only"):
            for event in self:
                if event.id in found:
                    found[event.id]["partners"] -= event._notify_customers()
        return found

    def _notify_bump_ics_sequence(self, snapshot):
        """A new time or a cancellation is a new revision of the customers' .ics."""
        if not snapshot:
            return
        cancel_statuses = self._notify_cancel_statuses()
        changed = self.browse()
        for event in self.exists():
            old = snapshot.get(event.id)
            if not old:
                continue
            moved = (event._notify_start(), event._notify_end()) != (old["start"], old["end"])
            cancelled = (
                event.booking_state in cancel_statuses and old["status"] not in cancel_statuses
            )
            if moved or cancelled:
                changed |= event
        if changed:
            # An increment in SQL: two concurrent moves still give two revisions.
            self.env.cr.execute(
                "UPDATE calendar_event SET notify_ics_sequence = notify_ics_sequence + 1 "
                "WHERE id IN %s",
                [tuple(changed.ids)],
            )
            changed.invalidate_recordset(["notify_ics_sequence"])

    def _notify_attachments(self, partner, trigger):
        ics = self._notify_ics_file(partner, trigger)
        return [("invitation.ics", ics)] if ics else []

    def _notify_ics_method(self, trigger):
        """REQUEST (add or update) or CANCEL for this trigger, or None: no .ics."""
        if trigger in ("confirmed", "rescheduled") and self.booking_state == "confirmed":
            return "REQUEST"
        if trigger == "cancelled" and self.booking_state == "cancelled":
            return "CANCEL"
        return None

    def _notify_ics_uid(self):
        """The same UID for every .ics of this appointment, unique across databases."""
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"appointment-{self.id}-{dbuuid}@appointment-notify"

    def _notify_ics_file(self, partner, trigger):
        """The appointment as an iCalendar file for one customer, or None.

        In the customer's time zone; only the customer as attendee (other
        attendees' addresses stay private). Companies that keep Odoo's own
        invitations get none: two files would make two calendar entries.
        """
        self.ensure_one()
        method = self._notify_ics_method(trigger)
        company = self._notify_company()
        if not method or not vobject or company.notify_calendar_invitations:
            return None
        event = self.sudo()
        cal = vobject.iCalendar()
        cal.add("prodid").value = "-//appointment_notify//Odoo//EN"
        cal.add("method").value = method
        vevent = cal.add("vevent")
        vevent.add("uid").value = self._notify_ics_uid()
        vevent.add("sequence").value = str(event.notify_ics_sequence)
        vevent.add("dtstamp").value = pytz.utc.localize(fields.Datetime.now())
        if event.allday and event.start_date:
            vevent.add("dtstart").value = event.start_date
            vevent.add("dtend").value = (event.stop_date or event.start_date) + timedelta(days=1)
        else:
            zone = pytz.timezone(self._notify_timezone(partner))
            vevent.add("dtstart").value = pytz.utc.localize(event.start).astimezone(zone)
            vevent.add("dtend").value = pytz.utc.localize(event.stop).astimezone(zone)
        vevent.add("summary").value = event._get_customer_summary() or event.name or ""
        if event.location:
            vevent.add("location").value = event.location
        if event.notify_customer_note:
            vevent.add("description").value = event.notify_customer_note
        vevent.add("status").value = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
        organizer_email = company.email or event.user_id.email
        if organizer_email:
            organizer = vevent.add("organizer")
            organizer.value = f"mailto:{organizer_email}"
            organizer.params["CN"] = [company.name.replace('"', "'")]
        if partner.email_normalized:
            attendee = vevent.add("attendee")
            attendee.value = f"mailto:{partner.email_normalized}"
            attendee.params["CN"] = [(partner.name or "").replace('"', "'")]
            attendee.params["RSVP"] = ["FALSE"]
        return cal.serialize().encode()
