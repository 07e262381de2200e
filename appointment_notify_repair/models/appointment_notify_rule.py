from odoo import api, models


class AppointmentNotifyRule(models.Model):
    _inherit = "appointment.notify.rule"

    @api.model
    def _selection_res_model(self):
        # The core's registry of models rules can watch: repair orders join it.
        return super()._selection_res_model() + [("repair.order", self.env._("Repair order"))]
