from odoo import api, models

FINAL_STATUSES = ("sent", "exception", "bounce")


class MailNotification(models.Model):
    _inherit = "mail.notification"

    @api.model_create_multi
    def create(self, vals_list):
        notifications = super().create(vals_list)
        notifications._notify_propagate_outcome()
        return notifications

    def write(self, vals):
        res = super().write(vals)
        if vals.get("notification_status") in FINAL_STATUSES:
            self._notify_propagate_outcome()
        return res

    def _notify_propagate_outcome(self):
        """The e-mail's final outcome becomes the customer message's: a bounce or an
        SMTP failure with its reason, or back to sent.

        Odoo's mail queue marks notifications as failed while it sends, as a
        safeguard, and as sent once the SMTP server accepted: the last word wins.
        Every chatter post creates notifications: inbox ones cost nothing here,
        e-mail ones one query per batch.
        """
        done = self.filtered(
            lambda n: n.notification_type == "email" and n.notification_status in FINAL_STATUSES
        )
        if not done:
            return
        messages = (
            self.env["appointment.notify.message"]
            .sudo()
            .search_fetch(
                [
                    ("mail_message_id", "in", done.mail_message_id.ids),
                    ("state", "in", ("sent", "failed")),
                ],
                ["mail_message_id", "partner_id", "state"],
            )
        )
        by_key = {}
        for message in messages:
            key = (message.mail_message_id.id, message.partner_id.id)
            by_key[key] = by_key.get(key, message.browse()) | message
        for notification in done:
            key = (notification.mail_message_id.id, notification.res_partner_id.id)
            targets = by_key.get(key)
            if not targets:
                continue
            if notification.notification_status == "sent":
                targets.filtered(lambda m: m.state == "failed").write(
                    {"state": "sent", "reason": False}
                )
                continue
            kind = (
                self.env._("Bounced")
                if notification.notification_status == "bounce"
                else self.env._("Not sent")
            )
            detail = notification.failure_reason or notification.failure_type or ""
            targets.write({"state": "failed", "reason": f"{kind}: {detail}".strip(": ")})
