from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    notify_assistant_enabled = fields.Boolean(
        "WhatsApp booking assistant",
        help="Customers who write to the WhatsApp number can book, move and cancel there.",
    )
    notify_assistant_instructions = fields.Text(
        "AI instructions",
        translate=True,
        help="The business's own rules for the language model (tone, what to offer). The "
        "booking policy (windows, capacity) is enforced in code, not here.",
    )
    notify_assistant_llm_enabled = fields.Boolean(
        "Language model", groups="base.group_system", help="Off: the guided flow only."
    )
    notify_assistant_llm_url = fields.Char(
        "Model endpoint",
        groups="base.group_system",
        help="Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 "
        "(POST <url>/chat/completions).",
    )
    notify_assistant_llm_key = fields.Char("API key", groups="base.group_system")
    notify_assistant_llm_model = fields.Char("Model", groups="base.group_system")
    notify_assistant_llm_timeout = fields.Float(
        "Model timeout (seconds)", default=15.0, groups="base.group_system"
    )
    notify_assistant_handoff_hours = fields.Float(
        "Staff answer within (hours)",
        default=4.0,
        help="After a hand-off the assistant stays silent this long, then answers again.",
    )
    notify_assistant_handoff_user_id = fields.Many2one(
        "res.users",
        "Hand-off to",
        help="Gets a to-do when a customer asks for a person. Empty: the first "
        "notification administrator.",
    )

    def _notify_assistant_handoff_user(self):
        self.ensure_one()
        if self.notify_assistant_handoff_user_id:
            return self.notify_assistant_handoff_user_id
        group = self.env.ref("appointment_notify.group_notify_admin")
        users = group.sudo().all_user_ids.filtered(
            lambda u: u.active and not u.share and self in u.company_ids
        )
        return users.sorted("id")[:1] or self.env.ref("base.user_admin")
