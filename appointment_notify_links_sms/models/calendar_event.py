from odoo import models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def _notify_sms_help_text(self, partner):
        """The answer to a text we do not understand, in the customer's language."""
        self.ensure_one()
        lang = partner.lang or self._notify_company().partner_id.lang or "en_US"
        event = self.with_context(lang=lang)
        ctx = event._notify_render_context(partner.with_context(lang=lang))
        company = ctx["company"]
        env = event.env
        if ctx.get("manage_url"):
            return env._(
                "%(company)s: reply 1 to confirm your appointment on %(when)s, or use %(url)s",
                company=company.name,
                when=ctx["when"],
                url=ctx["manage_url"],
            )
        return env._(
            "%(company)s: reply 1 to confirm your appointment on %(when)s, or call us on "
            "%(phone)s.",
            company=company.name,
            when=ctx["when"],
            phone=company.phone or "",
        )
