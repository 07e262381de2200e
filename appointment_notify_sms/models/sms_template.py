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
