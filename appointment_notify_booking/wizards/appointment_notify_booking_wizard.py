from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.misc import clean_context

from odoo.addons.base.models.res_partner import _lang_get

from ..models.appointment_notify_service import BookingUnavailable


class AppointmentNotifyBookingWizard(models.TransientModel):
    """The receptionist's "New booking" form: a customer on the phone, a service, a time.

    Every check and the booking itself are the service's (``_check_slot``, ``_suggest``,
    ``_book``); this form only collects the answers and shows the outcome.
    """

    _name = "appointment.notify.booking.wizard"
    _description = "New booking"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    customer_phone = fields.Char("Phone", required=True)
    customer_name = fields.Char("Customer", required=True)
    customer_lang = fields.Selection(
        _lang_get, string="Language", default=lambda self: self.env.lang
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Known customer",
        compute="_compute_partner_id",
        store=True,
        help="The customer found by this phone number; a new one is created otherwise.",
    )
    service_id = fields.Many2one(
        "appointment.notify.service",
        required=True,
        domain="[('company_id', '=', company_id)]",
    )
    start = fields.Datetime(required=True, default=lambda self: self._default_start())
    duration = fields.Float(
        compute="_compute_duration", store=True, readonly=False, help="In hours."
    )
    allowed_staff_ids = fields.Many2many(related="service_id.staff_ids", string="Service staff")
    staff_id = fields.Many2one(
        "resource.resource",
        domain="[('id', 'in', allowed_staff_ids)]",
        help="Leave empty for anyone free.",
    )
    override = fields.Boolean(
        help="Book even though the time does not fit (notification administrators only).",
    )
    availability = fields.Selection(
        [("unknown", "Not checked"), ("fits", "Available"), ("conflict", "Not available")],
        default="unknown",
        required=True,
    )
    availability_message = fields.Char()
    alternative_ids = fields.One2many(
        "appointment.notify.booking.alternative", "wizard_id", string="Alternatives"
    )

    @api.model
    def _default_start(self):
        # The next full hour tomorrow: a phone booking is rarely for the next minutes.
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        return now + timedelta(days=1, hours=1)

    @api.depends("service_id")
    def _compute_duration(self):
        for wizard in self:
            wizard.duration = wizard.service_id.duration or wizard.duration or 1.0

    @api.depends("customer_phone", "company_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard._find_partner()

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            self.customer_name = self.partner_id.name
            self.customer_lang = self.partner_id.lang or self.customer_lang

    @api.onchange("service_id", "start", "duration", "staff_id")
    def _onchange_slot(self):
        # Answers from an earlier check no longer hold.
        self.availability = "unknown"
        self.availability_message = False
        self.alternative_ids = [fields.Command.clear()]

    def _find_partner(self):
        """The customer with this phone number (E.164-normalised), if any."""
        if not self.customer_phone:
            return self.env["res.partner"]
        Partner = self.env["res.partner"]
        number = Partner._phone_format(
            number=self.customer_phone, country=self.company_id.country_id
        )
        if not number:
            return Partner
        return Partner.search(
            [("phone_sanitized", "=", number), ("company_id", "in", [False, self.company_id.id])],
            limit=1,
        )

    def _staff_arg(self):
        return self.staff_id or None

    def _show_conflict(self, message, alternatives):
        self.ensure_one()
        if not alternatives:
            alternatives = self.service_id._suggest(
                self.start, n=3, staff=self._staff_arg(), duration=self.duration
            )
        self.write(
            {
                "availability": "conflict",
                "availability_message": message,
                "alternative_ids": [fields.Command.clear()]
                + [
                    fields.Command.create(
                        {"start": slot.start, "stop": slot.stop, "staff_id": slot.staff[:1].id}
                    )
                    for slot in alternatives
                ],
            }
        )

    def _check_availability(self):
        """Check the chosen time; on a conflict, list the nearest alternatives."""
        self.ensure_one()
        try:
            slot = self.service_id._check_slot(
                self.start, staff=self._staff_arg(), duration=self.duration
            )
        except BookingUnavailable as exc:
            self._show_conflict(exc.args[0], exc.alternatives)
            return False
        self.write(
            {
                "availability": "fits",
                "availability_message": self.env._(
                    "Available with %(staff)s.", staff=slot.staff[:1].name
                ),
                "alternative_ids": [fields.Command.clear()],
            }
        )
        return True

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New booking"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_check(self):
        self._check_availability()
        return self._reopen()

    def action_book(self):
        """Book through the service; a refusal leaves nothing behind and shows why."""
        self.ensure_one()
        # The buttons' context (default_* keys, active_model of a picked line) must
        # not reach the appointment: calendar.event reads active_model as its link.
        context = {
            key: value
            for key, value in clean_context(self.env.context).items()
            if key not in ("active_model", "active_id", "active_ids")
        }
        service = self.service_id.with_context(context)  # pylint: disable=context-overridden
        try:
            # The savepoint also takes back a customer created for a refused booking.
            with self.env.cr.savepoint():
                partner = service.env["res.partner"]._notify_booking_find_or_create(
                    self.customer_name,
                    self.customer_phone,
                    lang=self.customer_lang,
                    company=self.company_id,
                )
                event = service._book(
                    partner,
                    self.start,
                    staff=self._staff_arg(),
                    duration=self.duration,
                    override=self.override,
                )
        except BookingUnavailable as exc:
            self._show_conflict(exc.args[0], exc.alternatives)
            return self._reopen()
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "res_id": event.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
