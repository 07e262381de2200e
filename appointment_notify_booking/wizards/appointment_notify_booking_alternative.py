from odoo import fields, models


class AppointmentNotifyBookingAlternative(models.TransientModel):
    """A free time offered by the "New booking" form when the asked one does not fit."""

    _name = "appointment.notify.booking.alternative"
    _description = "Alternative time for a new booking"
    _order = "start, id"

    wizard_id = fields.Many2one(
        "appointment.notify.booking.wizard", required=True, ondelete="cascade"
    )
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)
    staff_id = fields.Many2one("resource.resource")

    def action_pick(self):
        """Take this time (and staff member) and check it again: it may be gone."""
        self.ensure_one()
        wizard = self.wizard_id
        wizard.write({"start": self.start, "staff_id": self.staff_id.id})
        wizard._check_availability()
        return wizard._reopen()
