from markupsafe import Markup

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    assistant_session_ids = fields.One2many(
        "appointment.notify.assistant.session",
        "partner_id",
        "WhatsApp conversations",
        groups="appointment_notify.group_notify_user",
    )
    assistant_session_count = fields.Integer(
        compute="_compute_assistant_session_count", groups="appointment_notify.group_notify_user"
    )

    def _compute_assistant_session_count(self):
        sessions = self.env["appointment.notify.assistant.session"].search(
            self._assistant_session_domain()
        )
        for partner in self:
            partner.assistant_session_count = len(
                sessions.filtered(lambda s, p=partner: p in (s.partner_id | s.reply_partner_id))
            )

    def _assistant_session_domain(self):
        return ["|", ("partner_id", "in", self.ids), ("reply_partner_id", "in", self.ids)]

    def _notify_whatsapp_opted_out(self):
        """WhatsApp consent was turned off (STOP, a block, or staff): not just never given."""
        self.ensure_one()
        return not self.notify_consent_whatsapp and bool(self.notify_consent_whatsapp_date)

    def _assistant_post(self, head, text, author=None):
        """A note on the customer's chatter: a heading and the WhatsApp text."""
        self.ensure_one()
        body = Markup("<p>%s</p>") % head
        if text:
            body += Markup("<p>%s</p>") % text
        self.sudo().message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=(author or self).id,
        )

    def action_open_assistant_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "appointment_notify_whatsapp_assistant.appointment_notify_assistant_session_action"
        )
        action["domain"] = self._assistant_session_domain()
        action["context"] = {"create": False}
        return action
