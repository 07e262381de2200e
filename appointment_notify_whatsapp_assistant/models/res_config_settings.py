from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    notify_assistant_enabled = fields.Boolean(
        related="company_id.notify_assistant_enabled", readonly=False
    )
    notify_assistant_instructions = fields.Text(
        related="company_id.notify_assistant_instructions", readonly=False
    )
    notify_assistant_llm_enabled = fields.Boolean(
        related="company_id.notify_assistant_llm_enabled",
        readonly=False,
        groups="base.group_system",
    )
    notify_assistant_llm_url = fields.Char(
        related="company_id.notify_assistant_llm_url", readonly=False, groups="base.group_system"
    )
    notify_assistant_llm_key = fields.Char(
        related="company_id.notify_assistant_llm_key", readonly=False, groups="base.group_system"
    )
    notify_assistant_llm_model = fields.Char(
        related="company_id.notify_assistant_llm_model",
        readonly=False,
        groups="base.group_system",
    )
    notify_assistant_llm_timeout = fields.Float(
        related="company_id.notify_assistant_llm_timeout",
        readonly=False,
        groups="base.group_system",
    )
    notify_assistant_handoff_hours = fields.Float(
        related="company_id.notify_assistant_handoff_hours", readonly=False
    )
    notify_assistant_handoff_user_id = fields.Many2one(
        related="company_id.notify_assistant_handoff_user_id", readonly=False
    )
