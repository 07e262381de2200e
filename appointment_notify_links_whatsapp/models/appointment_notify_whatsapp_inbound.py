from odoo import models


class AppointmentNotifyWhatsappInbound(models.Model):
    _inherit = "appointment.notify.whatsapp.inbound"

    def _confirm(self, record, partner):
        """Confirm on a booking is the customer's attendance, as on the self-service
        page and by SMS reply: their attendee accepts, and a booking awaiting
        confirmation keeps waiting for staff (a tap must not approve it)."""
        if record._name != "calendar.event" or not record._notify_manage_enabled(partner):
            return super()._confirm(record, partner)
        via = self.env._("By WhatsApp from %s.", self.from_number)
        if not record._notify_manage_confirm(partner, via=via):
            self._post_note(
                record,
                partner,
                self.env._(
                    "%s tapped Confirm on WhatsApp, but the appointment is no longer on.",
                    partner.display_name,
                ),
            )
        self.kind = "confirm"
