from odoo import fields, models


class AppointmentNotifyAssistantReply(models.TransientModel):
    """Staff write to the customer on WhatsApp from the conversation."""

    _name = "appointment.notify.assistant.reply"
    _description = "Reply on WhatsApp"

    session_id = fields.Many2one(
        "appointment.notify.assistant.session", required=True, ondelete="cascade"
    )
    body = fields.Text("Message", required=True)

    def action_send(self):
        self.ensure_one()
        self.session_id._assistant_staff_reply(self.body.strip())
        return {"type": "ir.actions.act_window_close"}
