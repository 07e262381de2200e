from odoo import models


class MailRenderMixin(models.AbstractModel):
    """Every template model (mail.template, sms.template, ...) renders for rules."""

    _inherit = "mail.render.mixin"

    def _render_eval_context(self):
        """Give notification templates their variables, empty until a message fills them.

        The dispatcher passes the real values (customer, time in their zone...)
        as ``add_context``; these defaults let Odoo check and preview the
        templates outside of a message.
        """
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
                "manage_url": "",  # the self-service link (appointment_notify_links)
                "sms_can_reply": False,  # customers can answer "1" (appointment_notify_links_sms)
            }.items():
                render_context.setdefault(key, value)
        return render_context
