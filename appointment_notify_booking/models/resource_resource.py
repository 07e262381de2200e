from odoo import fields, models


class ResourceResource(models.Model):
    _inherit = "resource.resource"

    # Bookings UPDATE this counter before re-checking availability: under
    # REPEATABLE READ a concurrent booking of the same staff then fails with a
    # serialization error (and is retried), where SELECT ... FOR UPDATE would
    # let both transactions insert.
    booking_seq = fields.Integer(
        string="Booking sequence",
        default=0,
        copy=False,
        readonly=True,
        help="Technical: bumped by every booking of this staff member to serialize them.",
    )
    notify_service_ids = fields.Many2many(
        "appointment.notify.service",
        "appointment_notify_service_resource_rel",
        "resource_id",
        "service_id",
        string="Booking services",
    )
