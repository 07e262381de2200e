from odoo import api, models
from odoo.fields import Command

# Context key set while Google rewrites a series: the customers Google does not
# know about stay on its events (see calendar.recurrence._write_from_google).
KEEP_UNSHARED = "appointment_notify_google_keep_customers"


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def _notify_google_unshared_customers(self):
        """The customers Google Calendar does not know as guests of this event.

        Google knows guests by e-mail address only, so customers without one are
        never sent; the others are sent only when the company invites customers
        through Google (Google then e-mails them too).
        """
        self.ensure_one()
        customers = self._notify_customers()
        if self._notify_company().notify_google_share_customers:
            return customers.filtered(lambda partner: not partner.email_normalized)
        return customers

    def _notify_google_times(self):
        """The appointment's times as notifications see them, None for no event."""
        return (self._notify_start(), self._notify_end()) if self else None

    # ------------------------------------------------------------------
    # Odoo -> Google
    # ------------------------------------------------------------------

    def _google_values(self):
        values = super()._google_values()
        if not values.get("attendees"):
            return values
        unshared = self._notify_google_unshared_customers()
        # A staff member sharing an address with a customer is still sent.
        shared_emails = set((self.sudo().partner_ids - unshared).mapped("email_normalized"))
        hidden = set(unshared.mapped("email_normalized")) - shared_emails
        values["attendees"] = [a for a in values["attendees"] if a["email"] not in hidden]
        return values

    # ------------------------------------------------------------------
    # Google -> Odoo
    # ------------------------------------------------------------------

    @api.model
    def _odoo_attendee_commands(self, google_event):
        """Google's guest list lacks the customers we did not send: keep them."""
        attendee_commands, partner_commands = super()._odoo_attendee_commands(google_event)
        if not google_event.exists(self.env):
            return attendee_commands, partner_commands
        event = google_event.get_odoo_event(self.env).exists()
        if len(event) != 1:
            return attendee_commands, partner_commands
        kept = event._notify_google_unshared_customers()
        kept_attendees = event.attendee_ids.filtered(lambda att: att.partner_id in kept)
        attendee_commands = [
            cmd
            for cmd in attendee_commands
            if not (cmd[0] == Command.DELETE and cmd[1] in kept_attendees.ids)
        ]
        partner_commands = [
            cmd for cmd in partner_commands if not (cmd[0] == Command.UNLINK and cmd[1] in kept.ids)
        ]
        return attendee_commands, partner_commands

    def write(self, vals):
        if self.env.context.get(KEEP_UNSHARED) and vals.get("partner_ids"):
            # Google's series sync unlinks every attendee whose address is not
            # in Google's guest list, outside _odoo_attendee_commands.
            kept = self.env["res.partner"]
            for event in self:
                kept |= event._notify_google_unshared_customers()
            commands = [
                cmd
                for cmd in vals["partner_ids"]
                if not (cmd[0] == Command.UNLINK and cmd[1] in kept.ids)
            ]
            vals = dict(vals, partner_ids=commands)
            if not commands:
                del vals["partner_ids"]
        return super().write(vals)
