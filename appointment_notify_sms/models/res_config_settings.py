from odoo import api, fields, models

from .appointment_notify_sms_inbound import INBOUND_PATH
from .res_company import WEBHOOK_URL_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    notify_sms_provider = fields.Selection(
        related="company_id.notify_sms_provider", readonly=False, groups="base.group_system"
    )
    notify_netgsm_usercode = fields.Char(
        related="company_id.notify_netgsm_usercode", readonly=False, groups="base.group_system"
    )
    notify_netgsm_password = fields.Char(
        related="company_id.notify_netgsm_password", readonly=False, groups="base.group_system"
    )
    notify_netgsm_header = fields.Char(
        related="company_id.notify_netgsm_header", readonly=False, groups="base.group_system"
    )
    notify_netgsm_encoding = fields.Selection(
        related="company_id.notify_netgsm_encoding", readonly=False, groups="base.group_system"
    )
    notify_netgsm_api_url = fields.Char(
        string="NetGSM API URL",
        config_parameter="appointment_notify_sms.netgsm_api_url",
        groups="base.group_system",
        help="https://api.netgsm.com.tr; tests and benchmarks point it at a local server.",
    )
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
    notify_sms_webhook_url = fields.Char(
        string="Webhook URL",
        config_parameter=WEBHOOK_URL_PARAM,
        default=lambda self: self.env["ir.config_parameter"].sudo().get_param("web.base.url"),
        groups="base.group_system",
        help="The public address of this Odoo that Twilio calls (https://...). Used to "
        "build the status callback of each message and to check Twilio's signatures; "
        "unlike web.base.url, it does not change when an administrator logs in from "
        "another address.",
    )
    notify_sms_webhook_inbound = fields.Char(
        string="Incoming messages webhook",
        compute="_compute_notify_sms_webhooks",
        groups="base.group_system",
    )

    @api.depends("notify_sms_webhook_url")
    def _compute_notify_sms_webhooks(self):
        for settings in self:
            base = (settings.notify_sms_webhook_url or "").strip().rstrip("/")
            settings.notify_sms_webhook_inbound = f"{base}{INBOUND_PATH}" if base else False
