from odoo import api, fields, models


class ResPartner(models.Model):
    """SMS consent; the core stamps its date and source and logs every change."""

    _inherit = "res.partner"

    notify_consent_sms = fields.Boolean(
        string="SMS consent", help="The customer agreed to booking messages by SMS."
    )
    notify_consent_sms_date = fields.Datetime(string="SMS consent date", readonly=True)
    notify_consent_sms_source = fields.Char(string="SMS consent source")

    @api.model
    def _notify_consent_fields(self):
        return {**super()._notify_consent_fields(), "sms": "notify_consent_sms"}

    def _notify_sms_number(self):
        """The number to text: mobile (when a module adds it), else phone."""
        self.ensure_one()
        mobile = self["mobile"] if "mobile" in self._fields else False
        return mobile or self.phone or ""

    @api.model
    def _notify_sms_find_by_number(self, e164):
        """Partners whose stored number normalises to ``e164``."""
        return self.sudo().with_context(active_test=False).search([("phone_sanitized", "=", e164)])
