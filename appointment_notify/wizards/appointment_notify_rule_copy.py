from odoo import fields, models


class AppointmentNotifyRuleCopy(models.TransientModel):
    """Copy the selected rules to other companies (e.g. a new branch)."""

    _name = "appointment.notify.rule.copy"
    _description = "Copy notification rules to companies"

    rule_ids = fields.Many2many(
        "appointment.notify.rule",
        default=lambda self: self.env.context.get("active_ids"),
        required=True,
    )
    company_ids = fields.Many2many("res.company", string="To companies", required=True)

    def action_copy(self):
        self.ensure_one()
        copies = self.env["appointment.notify.rule"]
        for company in self.company_ids:
            for rule in self.rule_ids:
                copies |= rule.copy(
                    {
                        "name": rule.name,
                        "company_id": company.id,
                        # Working hours belong to a company: the copy uses its own.
                        "resource_calendar_id": False,
                    }
                )
        return {
            "type": "ir.actions.act_window",
            "res_model": "appointment.notify.rule",
            "view_mode": "list,form",
            "domain": [("id", "in", copies.ids)],
            "name": self.env._("Copied rules"),
        }
