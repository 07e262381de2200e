from odoo import api, fields, models

from ..tools.sms_encoding import sms_segments


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    sms_encoding = fields.Selection(
        [("gsm7", "GSM-7"), ("ucs2", "Unicode (UCS-2)")],
        string="Encoding",
        compute="_compute_sms_segments",
        help="One character outside the GSM-7 alphabet (e.g. Turkish ğ, ı, ş or an "
        "emoji) makes the whole message Unicode: 70 characters per segment, not 160.",
    )
    sms_length = fields.Integer(
        string="Characters",
        compute="_compute_sms_segments",
        help="Length of the text as written; placeholders change it once filled in.",
    )
    sms_segment_count = fields.Integer(
        string="Segments",
        compute="_compute_sms_segments",
        help="SMS billed per message: 160/153 GSM-7 or 70/67 Unicode characters each "
        "(counted on the text as written, placeholders included).",
    )

    @api.depends("body")
    def _compute_sms_segments(self):
        for template in self:
            encoding, units, segments = sms_segments(template.body)
            template.sms_encoding = encoding
            template.sms_length = units
            template.sms_segment_count = segments

    def _render_eval_context(self):
        """Notification variables, empty until a message fills them (as for e-mail)."""
        render_context = super()._render_eval_context()
        models = dict(self.env["appointment.notify.rule"]._selection_res_model())
        if len(self) == 1 and self.render_model in models:
            for key, value in {
                "customer": self.env["res.partner"],
                "company": self.env.company,
                "when": "",
                "customer_tz": self.env.user.tz or "UTC",
                "note": "",
                "status": "",
                "location": "",
            }.items():
                render_context.setdefault(key, value)
        return render_context
