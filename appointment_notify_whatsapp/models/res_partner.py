from odoo import api, fields, models

from .appointment_notify_message import WINDOW


class ResPartner(models.Model):
    """WhatsApp consent (the core stamps its date and source and logs every change)
    and the customer's 24-hour window."""

    _inherit = "res.partner"

    notify_consent_whatsapp = fields.Boolean(
        string="WhatsApp consent",
        help="The customer agreed to booking messages by WhatsApp (Meta requires an "
        "explicit opt-in).",
    )
    notify_consent_whatsapp_date = fields.Datetime(string="WhatsApp consent date", readonly=True)
    notify_consent_whatsapp_source = fields.Char(string="WhatsApp consent source")
    notify_whatsapp_last_inbound = fields.Datetime(
        string="Last WhatsApp message from the customer",
        readonly=True,
        help="For 24 hours after it, WhatsApp allows free-text answers besides templates.",
    )

    @api.model
    def _notify_consent_fields(self):
        return {**super()._notify_consent_fields(), "whatsapp": "notify_consent_whatsapp"}

    def _notify_whatsapp_in_window(self):
        self.ensure_one()
        last = self.notify_whatsapp_last_inbound
        return bool(last) and last > fields.Datetime.now() - WINDOW
