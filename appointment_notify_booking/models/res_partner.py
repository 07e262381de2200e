from odoo import _, api, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _notify_booking_find_or_create(self, name, phone, lang=None, company=None):
        """The customer with this phone number (E.164), created if unknown.

        Found by ``phone_sanitized`` first so that '0612 345 678' and
        '+31 6 12345678' are the same person; a bad number is refused rather
        than stored.
        """
        company = company or self.env.company
        phone = (phone or "").strip()
        name = (name or "").strip()
        if not phone:
            raise UserError(_("Enter the customer's phone number."))
        e164 = self._phone_format(
            number=phone, country=company.country_id, force_format="E164", raise_exception=False
        )
        if not e164:
            raise UserError(
                _(
                    "%(phone)s is not a valid phone number. "
                    "Use the international format, e.g. +31612345678.",
                    phone=phone,
                )
            )
        partner = self.search(
            [("phone_sanitized", "=", e164), ("company_id", "in", [False, company.id])],
            limit=1,
        )
        if partner:
            if lang and not partner.lang:
                partner.lang = lang
            return partner
        if not name:
            raise UserError(
                _("Enter the name of the new customer with number %(phone)s.", phone=e164)
            )
        vals = {"name": name, "phone": e164}
        if lang:
            vals["lang"] = lang
        # Receptionists book without the 'Contact Creation' right: whoever may
        # create appointments may create the customer, with these fields only.
        self.env["calendar.event"].check_access("create")
        return self.sudo().create(vals).sudo(False)
