from odoo import api, models


class CalendarPopoverDeleteWizard(models.TransientModel):
    """Calendar's "Delete & Send": staff get Odoo's e-mail, customers our cancellation."""

    _inherit = "calendar.popover.delete.wizard"

    def _notify_keeps_customers(self):
        return self.calendar_event_id._notify_company().notify_calendar_invitations

    @api.depends("calendar_event_id")
    def _compute_recipient_ids(self):
        res = super()._compute_recipient_ids()
        for wizard in self:
            if not wizard._notify_keeps_customers():
                wizard.recipient_ids -= wizard.calendar_event_id._notify_customers()
        return res

    def action_send_mail_and_delete(self):
        if self._notify_keeps_customers():
            return super().action_send_mail_and_delete()
        return super(
            CalendarPopoverDeleteWizard, self.with_context(appointment_notify_staff_only=True)
        ).action_send_mail_and_delete()
