from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _notify_sms_can_reply(self):
        """Whether customers can answer our SMS: a Twilio number, whose inbound
        webhook we receive. Not an alphanumeric sender ID, nor a Messaging Service
        (its pool may send from a name), nor NetGSM (its replies do not reach us)."""
        self.ensure_one()
        company = self.sudo()
        return (
            company.notify_sms_provider == "twilio" and company.notify_sms_sender_type == "number"
        )
