import phonenumbers

from odoo import api, fields, models

from .appointment_notify_message import OPT_OUT_SOURCE


class ResPartner(models.Model):
    """SMS consent; the core stamps its date and source and logs every change."""

    _inherit = "res.partner"

    notify_consent_sms = fields.Boolean(
        string="SMS consent", help="The customer agreed to booking messages by SMS."
    )
    notify_consent_sms_date = fields.Datetime(string="SMS consent date", readonly=True)
    notify_consent_sms_source = fields.Char(string="SMS consent source")
    notify_consent_sms_opted_out = fields.Boolean(
        string="SMS stopped by the customer",
        readonly=True,
        help="The customer replied STOP (or Twilio refused a send with error 21610): "
        "their START reply turns SMS consent back on. START never gives consent "
        "the customer did not give before.",
    )

    @api.model
    def _notify_consent_fields(self):
        return {**super()._notify_consent_fields(), "sms": "notify_consent_sms"}

    def write(self, vals):
        if "notify_consent_sms" in vals:
            vals = dict(vals)
            if vals["notify_consent_sms"]:
                vals.setdefault("notify_consent_sms_opted_out", False)
            elif self.env.context.get("notify_consent_source") == OPT_OUT_SOURCE:
                # Twilio 21610: the customer sent STOP to our sender; START may undo it.
                vals.setdefault("notify_consent_sms_opted_out", True)
                numbers = [n for n in self.sudo().mapped("phone_sanitized") if n]
                if numbers:
                    self.env["phone.blacklist"].sudo()._add(numbers)
        return super().write(vals)

    def _notify_sms_number(self):
        """The number to text: mobile (when a module adds it), else phone."""
        self.ensure_one()
        mobile = self["mobile"] if "mobile" in self._fields else False
        return mobile or self.phone or ""

    def _notify_sms_opt_out(self, source):
        """The customer asked to stop: consent off, remembered as their opt-out."""
        self.sudo().with_context(notify_consent_source=source).write(
            {"notify_consent_sms": False, "notify_consent_sms_opted_out": True}
        )

    def _notify_sms_opt_in(self, source):
        """Undo the customer's own opt-out (only call it on opted-out partners)."""
        self.sudo().with_context(notify_consent_source=source).write(
            {"notify_consent_sms": True, "notify_consent_sms_opted_out": False}
        )

    @api.model
    def _notify_sms_sanitize(self, number, country):
        """``number`` as ``phone_sanitized`` stores it for a contact of ``country``."""
        if not number:
            return False
        return self._phone_format(number=number, country=country)

    @api.model
    def _notify_sms_find_by_number(self, number, companies):
        """Active contacts of ``companies`` (or of no company) whose number is ``number``.

        Each contact's number is normalised as ``phone_sanitized`` and the SMS
        sent to them are: with the contact's country, else the company's (that
        of the account that signed the webhook), not whichever company the user
        who last saved the contact was in.
        """
        Partner = self.sudo().with_context(active_test=True)
        if not number:
            return Partner.browse()
        try:
            national = str(phonenumbers.parse(number).national_number)
        except phonenumbers.NumberParseException:
            national = ""
        domain = [("company_id", "in", [*companies.ids, False])]
        if len(national) >= 3:
            # Contacts without a country may have a stored number sanitized with
            # another company's country: find them by their digits, then check.
            domain += [
                "|",
                ("phone_sanitized", "=", number),
                "&",
                ("country_id", "=", False),
                ("phone_mobile_search", "like", national),
            ]
        else:
            domain += [("phone_sanitized", "=", number)]
        company_country = companies[:1].country_id

        def matches(partner):
            country = partner.country_id or company_country
            return any(
                partner._notify_sms_sanitize(partner[fname], country) == number
                for fname in partner._phone_get_number_fields()
                if partner[fname]
            )

        return Partner.search(domain).filtered(matches)
