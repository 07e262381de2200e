from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools.misc import hash_sign, verify_hash_signed

# The HMAC scope of the links: a token signed for anything else never opens a page.
MANAGE_SCOPE = "appointment_notify.manage"
MANAGE_PATH = "/appointment_notify/manage/"
# A record without an end (a repair order) keeps its link this long after it starts
# or, without a start, after the link was made.
UNDATED_VALIDITY = timedelta(days=90)


class AppointmentNotifyMixin(models.AbstractModel):
    _inherit = "appointment.notify.mixin"

    # QWeb page of this model behind the link; models without one get no link.
    _notify_manage_page = None

    def _notify_manage_expiry(self):
        """Until when the link opens (naive UTC): the end of the record."""
        self.ensure_one()
        return self._notify_end() or (self._notify_start() or fields.Datetime.now()) + (
            UNDATED_VALIDITY
        )

    def _notify_manage_token(self, partner):
        """Signed {model, record, customer}, valid until ``_notify_manage_expiry()``."""
        self.ensure_one()
        end = self._notify_manage_expiry()
        return hash_sign(
            self.env(su=True),
            MANAGE_SCOPE,
            {"m": self._name, "r": self.id, "p": partner.id},
            expiration=pytz.utc.localize(end),
        )

    def _notify_manage_enabled(self, partner):
        """Whether ``partner`` gets a link to this record."""
        self.ensure_one()
        return bool(self._notify_manage_page and partner and partner in self._notify_customers())

    def _notify_manage_url(self, partner):
        self.ensure_one()
        if not self._notify_manage_enabled(partner):
            return ""
        return self.get_base_url() + MANAGE_PATH + self._notify_manage_token(partner)

    def _notify_render_context(self, partner):
        ctx = super()._notify_render_context(partner)
        ctx["manage_url"] = self._notify_manage_url(partner)
        return ctx

    @api.model
    def _notify_manage_from_token(self, token):
        """(record, customer) as superuser for a valid token, else (None, None).

        Tampered, expired, foreign and malformed tokens all give (None, None):
        the caller shows one page for all of them, which tells nothing.
        """
        try:
            values = verify_hash_signed(self.env(su=True), MANAGE_SCOPE, token or "")
        except (ValueError, TypeError, IndexError):
            return None, None
        if not isinstance(values, dict):
            return None, None
        model, record_id, partner_id = values.get("m"), values.get("r"), values.get("p")
        if not (
            isinstance(model, str)
            and model in self.env
            and isinstance(record_id, int)
            and isinstance(partner_id, int)
        ):
            return None, None
        record = self.env[model].sudo().browse(record_id).exists()
        partner = self.env["res.partner"].sudo().browse(partner_id).exists()
        # Taken off the record since the link was sent: the link is dead.
        if not (
            record
            and partner
            and hasattr(record, "_notify_manage_enabled")
            and record._notify_manage_enabled(partner)
        ):
            return None, None
        return record, partner
