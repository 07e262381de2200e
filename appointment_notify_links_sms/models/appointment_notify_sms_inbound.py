from odoo import api, fields, models

# Replies that confirm: a digit survives every keyboard and language.
CONFIRM_REPLIES = {"1"}


class AppointmentNotifySmsInbound(models.Model):
    _inherit = "appointment.notify.sms.inbound"

    kind = fields.Selection(
        selection_add=[("confirm", "Attendance confirmed")], ondelete={"confirm": "set null"}
    )
    event_id = fields.Many2one("calendar.event", string="Appointment", readonly=True)

    @api.model
    def _process_twilio(self, companies, params):
        """'1' from a known customer confirms their next appointment; once per
        MessageSid (the parent claims it first) and without touching consent."""
        inbound = super()._process_twilio(companies, params)
        if inbound and inbound.kind == "text" and (inbound.body or "") in CONFIRM_REPLIES:
            inbound._confirm_next_appointment(companies)
        return inbound

    def _confirm_next_appointment(self, companies):
        self.ensure_one()
        events = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("partner_ids", "in", self.partner_ids.ids),
                    ("start", ">", fields.Datetime.now()),
                    ("booking_state", "in", ("awaiting", "confirmed")),
                ],
                order="start, id",
            )
        )
        event = events.filtered(lambda e: e._notify_company() in companies)[:1]
        if not event:
            return False
        partner = (event.partner_ids & self.partner_ids)[:1]
        via = self.env._("By SMS reply from %s.", self.from_number)
        if event._notify_manage_confirm(partner, via=via):
            self.write({"kind": "confirm", "event_id": event.id})
            return True
        return False
