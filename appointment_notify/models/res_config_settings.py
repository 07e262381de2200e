from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    notify_manual_confirmation = fields.Boolean(
        related="company_id.notify_manual_confirmation", readonly=False
    )
    notify_email_consent_relaxed = fields.Boolean(
        related="company_id.notify_email_consent_relaxed", readonly=False
    )
    notify_resource_calendar_id = fields.Many2one(
        related="company_id.notify_resource_calendar_id", readonly=False
    )
    notify_calendar_invitations = fields.Boolean(
        related="company_id.notify_calendar_invitations", readonly=False
    )
    notify_test_mode = fields.Boolean(related="company_id.notify_test_mode", readonly=False)
    notify_max_attempts = fields.Integer(
        string="Attempts before failing",
        config_parameter="appointment_notify.max_attempts",
        default=5,
    )
    notify_retry_delay_minutes = fields.Integer(
        string="First retry after (minutes)",
        config_parameter="appointment_notify.retry_delay_minutes",
        default=5,
        help="Each further retry waits twice as long.",
    )
    notify_batch_size = fields.Integer(
        string="Dispatcher batch size",
        config_parameter="appointment_notify.batch_size",
        default=100,
    )
