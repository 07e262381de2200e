from odoo import fields, models


class AppointmentNotifyMessage(models.Model):
    _inherit = "appointment.notify.message"

    sms_reply = fields.Selection(
        [("help", "Help text")],
        string="SMS reply",
        readonly=True,
        help="An answer to a customer's SMS, not a rule's message.",
    )
