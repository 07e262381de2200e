from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    notify_google_share_customers = fields.Boolean(
        string="Invite customers through Google Calendar",
        help="Customers with an e-mail address are added as guests of the synced "
        "Google events, and Google e-mails them its own invitations and updates "
        "besides this addon's messages. Off: Google only sees the staff.",
    )
