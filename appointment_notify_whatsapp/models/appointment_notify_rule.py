from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AppointmentNotifyRule(models.Model):
    _inherit = "appointment.notify.rule"

    channel = fields.Selection(
        selection_add=[("whatsapp", "WhatsApp")], ondelete={"whatsapp": "cascade"}
    )
    whatsapp_template_ids = fields.Many2many(
        "appointment.notify.whatsapp.template",
        "appointment_notify_rule_whatsapp_template_rel",
        "rule_id",
        "template_id",
        string="WhatsApp templates",
        domain="[('res_model', '=', res_model), ('company_id', 'in', [False, company_id])]",
        help="One per language: the customer's language is used, else the company's, else English.",
    )
    fallback_channel = fields.Selection(
        [("sms", "SMS"), ("email", "E-mail")],
        help="When WhatsApp cannot deliver (the customer has no WhatsApp, or no approved "
        "template outside the 24-hour window), send once on this channel instead. "
        "SMS falls back to e-mail when the company has no SMS sender or the customer "
        "no SMS consent and the rule has an e-mail template.",
    )
    whatsapp_cancel_min_hours = fields.Float(
        string="Cancel by WhatsApp until (hours before)",
        help="Customers may cancel with the Cancel button until this many hours before "
        "the start. 0: the company's default.",
    )

    @api.onchange("channel", "trigger", "status_value", "res_model")
    def _onchange_whatsapp_templates(self):
        if self.channel != "whatsapp":
            return
        current = self.whatsapp_template_ids
        # Keep a choice of the user's that still fits; replace proposals that no
        # longer do (another model, trigger or status).
        if not current or current != current.filtered(self._whatsapp_template_fits):
            self.whatsapp_template_ids = self._whatsapp_default_templates()

    def _whatsapp_template_fits(self, template):
        if template.res_model != self.res_model:
            return False
        if self.trigger != "status_set":
            return template.trigger == self.trigger
        if template.trigger == "status_set":
            return template.status_value == self.status_value
        return template.trigger == "status_changed"

    def _whatsapp_default_templates(self):
        """The templates written for this rule's model, trigger and status.

        A "Status changed to..." rule takes those written for its status (a
        repair's "ready for pickup"), else the generic "Status changed" ones.
        """
        self.ensure_one()
        Template = self.env["appointment.notify.whatsapp.template"]
        domain = [
            ("res_model", "=", self.res_model),
            ("company_id", "in", [False, self.company_id.id]),
        ]
        if self.trigger == "status_set":
            templates = Template.search(
                domain + [("trigger", "=", "status_set"), ("status_value", "=", self.status_value)]
            )
            if templates and self.status_value:
                return templates
            return Template.search(domain + [("trigger", "=", "status_changed")])
        return Template.search(domain + [("trigger", "=", self.trigger)])

    @api.constrains("channel", "whatsapp_template_ids", "res_model")
    def _check_whatsapp_templates(self):
        for rule in self.filtered(lambda r: r.channel == "whatsapp"):
            templates = rule.whatsapp_template_ids
            if not templates or set(templates.mapped("res_model")) != {rule.res_model}:
                raise ValidationError(
                    self.env._(
                        "Rule '%s' sends WhatsApp: give it templates of the same model.",
                        rule.name,
                    )
                )
            langs = templates.mapped("lang_code")
            if len(langs) != len(set(langs)):
                raise ValidationError(
                    self.env._("Rule '%s': choose one WhatsApp template per language.", rule.name)
                )

    @api.constrains("channel", "fallback_channel", "sms_template_id", "mail_template_id")
    def _check_fallback_template(self):
        for rule in self.filtered(lambda r: r.channel == "whatsapp" and r.fallback_channel):
            if rule.fallback_channel == "sms" and not rule.sms_template_id:
                raise ValidationError(
                    self.env._("Rule '%s' falls back to SMS: give it an SMS template.", rule.name)
                )
            if rule.fallback_channel == "email" and not rule.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "Rule '%s' falls back to e-mail: give it an e-mail template.", rule.name
                    )
                )

    def _whatsapp_template_for(self, langs):
        """The rule's template for the first language of ``langs`` it has.

        An exact code wins (nl_BE), else the same language (nl_NL for nl_BE).
        """
        self.ensure_one()
        templates = self.whatsapp_template_ids
        for code in filter(None, langs):
            exact = templates.filtered(lambda t, c=code: t.lang_code == c)
            if exact:
                return exact[:1]
            prefix = code.split("_")[0]
            same = templates.filtered(lambda t, p=prefix: (t.lang_code or "").split("_")[0] == p)
            if same:
                return same[:1]
        return templates.browse()
