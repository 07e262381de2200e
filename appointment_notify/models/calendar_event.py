from odoo import api, fields, models

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
