from odoo import api, fields, models


class AppointmentNotifyQuickSetup(models.TransientModel):
    """The quick setup's repair messages: received, ready for pickup, cancelled,
    a reminder the day before the visit; the review request follows the
    appointments' choice."""

    _inherit = "appointment.notify.quick.setup"

    repair_created = fields.Boolean(string="Repair order received", default=True)
    repair_ready = fields.Boolean(string="Ready for pickup", default=True)
    repair_cancelled = fields.Boolean(string="Repair cancelled", default=True)
    repair_reminder = fields.Boolean(string="Reminder the day before the visit")

    def _quick_setup_specs(self):
        _ = self.env._
        module = "appointment_notify_repair"
        return super()._quick_setup_specs() + [
            self._spec(
                "repair.order",
                "booked",
                "repair_created",
                _("Repair order received"),
                template="repair_created",
                module=module,
            ),
            self._spec(
                "repair.order",
                "status_set",
                "repair_ready",
                _("Ready for pickup"),
                template="repair_done",
                module=module,
                key="repair.order:status_set:done",
                values={"status_value": "done"},
            ),
            self._spec(
                "repair.order",
                "cancelled",
                "repair_cancelled",
                _("Repair cancelled"),
                template="repair_cancelled",
                module=module,
            ),
            self._spec(
                "repair.order",
                "reminder",
                "repair_reminder",
                _("Repair visit reminder 24 h before"),
                template="repair_reminder",
                module=module,
                values={"offset_amount": 24, "offset_unit": "hours"},
            ),
            self._spec(
                "repair.order",
                "followup",
                "review_request",
                _("Repair review request"),
                template="repair_followup",
                module=module,
                values={
                    "offset_amount": max(self.review_delay_hours, 0),
                    "offset_unit": "hours",
                    "working_hours_only": True,
                    "non_service": True,
                },
            ),
        ]

    @api.model
    def _demo_choices(self):
        return {**super()._demo_choices(), "repair_reminder": True}
