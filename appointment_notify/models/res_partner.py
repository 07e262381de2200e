from markupsafe import Markup

from odoo import api, fields, models


class ResPartner(models.Model):
    """Consent per channel, off by default, each with its date and source.

    Channel addons add ``notify_consent_<channel>`` (+ ``_date``, ``_source``)
    and extend ``_notify_consent_fields()``; the rest is shared.
    """

    _inherit = "res.partner"

    notify_consent_email = fields.Boolean(
        string="E-mail consent", help="The customer agreed to booking messages by e-mail."
    )
    notify_consent_email_date = fields.Datetime(string="E-mail consent date", readonly=True)
    notify_consent_email_source = fields.Char(string="E-mail consent source")
    notify_consent_marketing = fields.Boolean(
        string="Non-service consent",
        help="The customer agreed to messages beyond the booking itself, such as review requests.",
    )
    notify_consent_marketing_date = fields.Datetime(
        string="Non-service consent date", readonly=True
    )
    notify_consent_marketing_source = fields.Char(string="Non-service consent source")

    @api.model
    def _notify_consent_fields(self):
        """{consent key: boolean field}; channel keys match the rules' channels."""
        return {"email": "notify_consent_email", "marketing": "notify_consent_marketing"}

    @api.model
    def _notify_consent_default_source(self):
        if self.env.context.get("notify_consent_source"):
            return self.env.context["notify_consent_source"]
        if self.env.context.get("import_file"):
            return self.env._("Import by %s", self.env.user.name)
        return self.env._("Set by %s", self.env.user.name)

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            for field in self._notify_consent_fields().values():
                if vals.get(field):
                    vals.setdefault(f"{field}_date", now)
                    vals.setdefault(f"{field}_source", self._notify_consent_default_source())
        return super().create(vals_list)

    def write(self, vals):
        changed = [f for f in self._notify_consent_fields().values() if f in vals]
        if not changed:
            return super().write(vals)
        before = {p.id: {f: p[f] for f in changed} for p in self}
        now = fields.Datetime.now()
        vals = dict(vals)
        for field in changed:
            vals.setdefault(f"{field}_date", now)
            vals.setdefault(f"{field}_source", self._notify_consent_default_source())
        res = super().write(vals)
        labels = {f: self._fields[f].string for f in changed}
        for partner in self:
            lines = [
                self.env._(
                    "%(consent)s turned %(state)s (source: %(origin)s)",
                    consent=labels[field],
                    state=self.env._("on") if partner[field] else self.env._("off"),
                    origin=partner[f"{field}_source"],
                )
                for field in changed
                if before[partner.id][field] != partner[field]
            ]
            if lines:
                partner._message_log(body=Markup("<br/>").join(lines))
        return res

    def _notify_has_consent(self, channel):
        field = self._notify_consent_fields().get(channel)
        return bool(field and self[field])

    def _notify_consent_missing(self, channel, non_service, company):
        """Why this customer may not get the message, or False if they may."""
        self.ensure_one()
        if non_service and not self.notify_consent_marketing:
            return self.env._("No consent for non-service messages.")
        relaxed = channel == "email" and not non_service and company.notify_email_consent_relaxed
        if not relaxed and not self._notify_has_consent(channel):
            return self.env._("No consent for %s.", channel)
        return False
