from odoo import api, models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    @api.model_create_multi
    def create(self, vals_list):
        notifications = super().create(vals_list)
        notifications._notify_propagate_failure()
        return notifications

    def write(self, vals):
        res = super().write(vals)
        if vals.get("notification_status") in ("exception", "bounce"):
            self._notify_propagate_failure()
        return res

    def _notify_propagate_failure(self):
        """An SMTP failure or a bounce becomes the customer message's failure reason."""
        failed = self.filtered(lambda n: n.notification_status in ("exception", "bounce"))
        if not failed:
            return
        Message = self.env["appointment.notify.message"].sudo()
        for notification in failed:
            messages = Message.search(
                [
                    ("mail_message_id", "=", notification.mail_message_id.id),
                    ("partner_id", "=", notification.res_partner_id.id),
                ]
            )
            if not messages:
                continue
            kind = (
                self.env._("Bounced")
                if notification.notification_status == "bounce"
                else self.env._("Not sent")
            )
            detail = notification.failure_reason or notification.failure_type or ""
            messages.write({"state": "failed", "reason": f"{kind}: {detail}".strip(": ")})
