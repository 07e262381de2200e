import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError


class AppointmentNotifyRuleTest(models.TransientModel):
    """Render a rule for a chosen record and send it to a typed address or number."""

    _name = "appointment.notify.rule.test"
    _description = "Send a test notification"

    rule_id = fields.Many2one("appointment.notify.rule", required=True, ondelete="cascade")
    channel = fields.Selection(related="rule_id.channel")
    record_ref = fields.Reference(selection="_selection_record_ref", string="Record", required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Render as customer",
        help="Language and time zone of this customer are used. Defaults to the "
        "record's first customer.",
    )
    destination = fields.Char(
        string="Send to", required=True, help="E-mail address or phone number."
    )

    @api.model
    def _selection_record_ref(self):
        return self.env["appointment.notify.rule"]._selection_res_model()

    @api.onchange("rule_id")
    def _onchange_rule_id(self):
        model = self.rule_id.res_model
        if model and (not self.record_ref or self.record_ref._name != model):
            record = self.env[model].search([], limit=1, order="id desc")
            self.record_ref = record and f"{model},{record.id}"

    def action_send(self):
        self.ensure_one()
        record = self.record_ref
        if not record or record._name != self.rule_id.res_model:
            raise UserError(self.env._("Choose a record of the model the rule applies to."))
        partner = self.partner_id or record._notify_customers()[:1] or self.env.user.partner_id
        now = fields.Datetime.now()
        message = (
            self.env["appointment.notify.message"]
            .sudo()
            .create(
                {
                    "rule_id": self.rule_id.id,
                    "company_id": self.rule_id.company_id.id,
                    "res_model": record._name,
                    "res_id": record.id,
                    "record_name": record.display_name,
                    "partner_id": partner.id,
                    "channel": self.rule_id.channel,
                    "trigger": self.rule_id.trigger,
                    "occurrence": f"test-{uuid.uuid4()}",
                    "destination": self.destination.strip(),
                    "scheduled_at": now,
                    "next_attempt_at": now,
                    "is_test": True,
                }
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "appointment.notify.message",
            "res_id": message.id,
            "view_mode": "form",
            "target": "current",
        }
