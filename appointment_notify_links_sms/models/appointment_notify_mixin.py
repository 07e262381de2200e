from odoo import models


class AppointmentNotifyMixin(models.AbstractModel):
    _inherit = "appointment.notify.mixin"

    def _notify_render_context(self, partner):
        ctx = super()._notify_render_context(partner)
        # Templates ask "reply 1 to confirm" only where the customer can reply.
        ctx["sms_can_reply"] = self._name == "calendar.event" and bool(
            self._notify_company()._notify_sms_can_reply()
        )
        return ctx
