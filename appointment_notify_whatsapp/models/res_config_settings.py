from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    notify_whatsapp_sender_type = fields.Selection(
        related="company_id.notify_whatsapp_sender_type", readonly=False, groups="base.group_system"
    )
    notify_whatsapp_from_number = fields.Char(
        related="company_id.notify_whatsapp_from_number", readonly=False, groups="base.group_system"
    )
    notify_whatsapp_messaging_service_sid = fields.Char(
        related="company_id.notify_whatsapp_messaging_service_sid",
        readonly=False,
        groups="base.group_system",
    )
    notify_whatsapp_rate = fields.Float(
        related="company_id.notify_whatsapp_rate", readonly=False, groups="base.group_system"
    )
    notify_whatsapp_auto_reply = fields.Text(
        related="company_id.notify_whatsapp_auto_reply",
        readonly=False,
        groups="base.group_system",
    )
    notify_whatsapp_cancel_min_hours = fields.Float(
        related="company_id.notify_whatsapp_cancel_min_hours",
        readonly=False,
        groups="base.group_system",
    )
