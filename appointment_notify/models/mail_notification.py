from odoo import api, models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    @api.model_create_multi
    def create(self, vals_list):
        notifications = super().create(vals_list)
        notifications._notify_propagate_outcome()
        return notifications

    def write(self, vals):
        res = super().write(vals)
        if vals.get("notification_status") in ("sent", "exception", "bounce"):
            self._notify_propagate_outcome()
        return res

    def _notify_propagate_outcome(self):
        """The e-mail's final outcome becomes the customer message's: a bounce or an
        SMTP failure with its reason, or back to sent.

        Odoo's mail queue marks notifications as failed while it sends, as a
        safeguard, and as sent once the SMTP server accepted: the last word wins.
        """
        done = self.filtered(lambda n: n.notification_status in ("sent", "exception", "bounce"))
        if not done:
            return
        Message = self.env["appointment.notify.message"].sudo()
        for notification in done:
            messages = Message.search(
                [
                    ("mail_message_id", "=", notification.mail_message_id.id),
                    ("partner_id", "=", notification.res_partner_id.id),
                    ("state", "in", ("sent", "failed")),
                ]
            )
            if not messages:
                continue
            if notification.notification_status == "sent":
                messages.filtered(lambda m: m.state == "failed").write(
                    {"state": "sent", "reason": False}
                )
                continue
            kind = (
                self.env._("Bounced")
                if notification.notification_status == "bounce"
                else self.env._("Not sent")
            )
            detail = notification.failure_reason or notification.failure_type or ""
            messages.write({"state": "failed", "reason": f"{kind}: {detail}".strip(": ")})
