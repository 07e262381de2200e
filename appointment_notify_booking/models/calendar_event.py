from datetime import timedelta

from odoo import Command, api, fields, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    notify_service_id = fields.Many2one(
        "appointment.notify.service", string="Service", index="btree_not_null", tracking=True
    )
    notify_staff_id = fields.Many2one(
        "resource.resource",
        string="Staff member",
        index="btree_not_null",
        domain=[("resource_type", "=", "user")],
        tracking=True,
    )
    notify_staff_over_capacity = fields.Boolean(
        string="Staff over capacity",
        compute="_compute_notify_staff_over_capacity",
        help="The staff member has more overlapping appointments than the service allows.",
    )

    @api.depends("notify_staff_id", "notify_service_id", "start", "stop")
    def _compute_notify_staff_over_capacity(self):
        for event in self:
            service, member = event.notify_service_id, event.notify_staff_id
            if not (service and member and event.start and event.stop and not event.allday):
                event.notify_staff_over_capacity = False
                continue
            _work, busy, _load = service._booking_availability(
                event.start, event.stop, member, exclude_event=event._origin or None
            )
            # Without the buffers here: only events that really overlap count.
            after, before = (
                timedelta(hours=service.buffer_after),
                timedelta(hours=service.buffer_before),
            )
            overlapping = sum(
                1
                for s, e in busy.get(member.id, ())
                if s + after < event.stop and e - before > event.start
            )
            event.notify_staff_over_capacity = overlapping >= service.capacity

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._notify_booking_add_staff_attendee(vals)
        return super().create(vals_list)

    def write(self, vals):
        previous = {}
        if "notify_staff_id" in vals:
            previous = {event: event.notify_staff_id.user_id.partner_id for event in self}
        self._notify_booking_add_staff_attendee(vals)
        res = super().write(vals)
        # A staff member taken off the appointment no longer attends it (nor is busy).
        for event, partner in previous.items():
            if partner and partner != event.notify_staff_id.user_id.partner_id:
                event.partner_ids = [Command.unlink(partner.id)]
        return res

    @api.model
    def _notify_booking_add_staff_attendee(self, vals):
        """The staff member's partner attends, so busy times, the calendar
        views and Google sync see the appointment."""
        if not vals.get("notify_staff_id"):
            return
        partner = self.env["resource.resource"].browse(vals["notify_staff_id"]).user_id.partner_id
        if partner:
            vals["partner_ids"] = [*vals.get("partner_ids", []), Command.link(partner.id)]

    def _notify_render_context(self, partner):
        """Templates can say which service, in the customer's language, and with whom."""
        ctx = super()._notify_render_context(partner)
        lang = partner.lang or self.env.lang or "en_US"
        ctx["service"] = self.sudo().notify_service_id.with_context(lang=lang).name or ""
        ctx["staff"] = self.sudo().notify_staff_id.name or ""
        return ctx
