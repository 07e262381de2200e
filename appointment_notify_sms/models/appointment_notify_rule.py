from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AppointmentNotifyRule(models.Model):
    _inherit = "appointment.notify.rule"

    channel = fields.Selection(selection_add=[("sms", "SMS")], ondelete={"sms": "cascade"})
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS template",
        domain="[('model', '=', res_model)]",
        ondelete="restrict",
    )

    @api.constrains("channel", "sms_template_id", "res_model")
    def _check_sms_template(self):
        for rule in self.filtered(lambda r: r.channel == "sms"):
            template = rule.sms_template_id
            if not template or template.model != rule.res_model:
                raise ValidationError(
                    self.env._(
                        "Rule '%s' sends SMS: give it an SMS template of the same model.",
                        rule.name,
                    )
                )
