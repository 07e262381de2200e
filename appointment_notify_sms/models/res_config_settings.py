from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    notify_sms_sender_type = fields.Selection(
        related="company_id.notify_sms_sender_type", readonly=False, groups="base.group_system"
    )
    notify_sms_from_number = fields.Char(
        related="company_id.notify_sms_from_number", readonly=False, groups="base.group_system"
    )
    notify_sms_messaging_service_sid = fields.Char(
        related="company_id.notify_sms_messaging_service_sid",
        readonly=False,
        groups="base.group_system",
    )
    notify_sms_alphanumeric_sender = fields.Char(
        related="company_id.notify_sms_alphanumeric_sender",
        readonly=False,
        groups="base.group_system",
    )
    notify_sms_rate = fields.Float(
        related="company_id.notify_sms_rate", readonly=False, groups="base.group_system"
    )
    notify_sms_api_url = fields.Char(
        string="Twilio API URL",
        config_parameter="appointment_notify_sms.twilio_api_url",
        groups="base.group_system",
        help="https://api.twilio.com; tests and benchmarks point it at a local server.",
    )
    notify_sms_validity_max = fields.Integer(
        string="Reminder validity (seconds)",
        config_parameter="appointment_notify_sms.validity_max_seconds",
        default=14400,
        groups="base.group_system",
        help="Twilio drops a reminder it could not send within this time, and always "
        "before the appointment starts (at most 36000).",
    )
