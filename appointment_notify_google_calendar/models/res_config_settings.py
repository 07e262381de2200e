from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    notify_google_share_customers = fields.Boolean(
        related="company_id.notify_google_share_customers", readonly=False
    )
