from odoo import fields, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    notify_booked_via_whatsapp = fields.Boolean(
        "Booked on WhatsApp",
        copy=False,
        help="Booked by the customer in the WhatsApp assistant: the appointment's own "
        "service messages may go to WhatsApp without a separate opt-in (not after STOP).",
    )
