from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools.misc import hash_sign, verify_hash_signed

from odoo.addons.appointment_notify_booking.models.appointment_notify_service import (
    BookingUnavailable,
)

# The HMAC scope of the links: a token signed for anything else never opens a page.
MANAGE_SCOPE = "appointment_notify.manage"
MANAGE_PATH = "/appointment_notify/manage/"


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    # ------------------------------------------------------------------
    # the signed link
    # ------------------------------------------------------------------

    def _notify_manage_token(self, partner):
        """Signed {event, customer}, valid until the appointment ends."""
        self.ensure_one()
        end = self._notify_end() or self.stop
        return hash_sign(
            self.env(su=True),
            MANAGE_SCOPE,
            {"e": self.id, "p": partner.id},
            expiration=pytz.utc.localize(end),
        )

    def _notify_manage_url(self, partner):
        """The customer's link, or '' for events that are not bookings of a
        service (they have no policy to enforce) and for non-customers."""
        self.ensure_one()
        if not (self.notify_service_id and partner and partner in self._notify_customers()):
            return ""
        return self.get_base_url() + MANAGE_PATH + self._notify_manage_token(partner)

    def _notify_render_context(self, partner):
        ctx = super()._notify_render_context(partner)
        ctx["manage_url"] = self._notify_manage_url(partner)
        return ctx

    @api.model
    def _notify_manage_from_token(self, token):
        """(event, customer) as superuser for a valid token, else (None, None).

        Tampered, expired and foreign tokens all give (None, None): the
        caller shows one page for all of them, which tells nothing.
        """
        try:
            values = verify_hash_signed(self.env(su=True), MANAGE_SCOPE, token or "")
        except (ValueError, TypeError, IndexError):
            return None, None
        if not isinstance(values, dict):
            return None, None
        event_id, partner_id = values.get("e"), values.get("p")
        if not (isinstance(event_id, int) and isinstance(partner_id, int)):
            return None, None
        event = self.sudo().browse(event_id).exists()
        partner = self.env["res.partner"].sudo().browse(partner_id).exists()
        if not (event and partner and event.notify_service_id):
            return None, None
        # Taken off the appointment since the link was sent: the link is dead.
        if partner not in event._notify_customers():
            return None, None
        return event, partner

    # ------------------------------------------------------------------
    # what the customer may do now
    # ------------------------------------------------------------------

    def _notify_manage_is_open(self):
        """Neither cancelled/rejected nor started."""
        self.ensure_one()
        return (
            self.booking_state not in self._notify_cancel_statuses()
            and self.active
            and self.start > fields.Datetime.now()
        )

    def _notify_manage_deadline(self, action):
        """Last moment (naive UTC) the customer may ``cancel`` or ``reschedule``."""
        self.ensure_one()
        service = self.notify_service_id
        hours = service.cancel_min_hours if action == "cancel" else service.reschedule_min_hours
        return self.start - timedelta(hours=hours or 0)

    def _notify_manage_may(self, action):
        self.ensure_one()
        if not self._notify_manage_is_open():
            return False
        if action == "confirm":
            return True
        return fields.Datetime.now() < self._notify_manage_deadline(action)

    def _notify_manage_slots(self, start=None, limit=12):
        """Free starts of the same service with the same staff member, from ``start``."""
        self.ensure_one()
        service = self.notify_service_id
        start = max(start or fields.Datetime.now(), fields.Datetime.now())
        return service._find_slots(
            start,
            start + timedelta(days=service.max_days_ahead),
            staff=self.notify_staff_id or None,
            duration=self.duration or None,
            exclude_event=self,
            limit=limit,
        )

    # ------------------------------------------------------------------
    # customer actions: the back office's write paths, then a chatter note
    # ------------------------------------------------------------------

    def _notify_manage_note(self, partner, text, origin, notify_staff=False):
        body = Markup("<p>%s</p>") % text
        if origin:
            body += Markup("<p>%s</p>") % _("Via the self-service link, from %s.", origin)
        staff_partner = self.user_id.partner_id if notify_staff else self.env["res.partner"]
        self.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=partner.id,
            partner_ids=staff_partner.ids,
        )

    def _notify_manage_confirm(self, partner, origin=None):
        self.ensure_one()
        if not self._notify_manage_may("confirm"):
            return False
        self.action_notify_confirm()
        self._notify_manage_note(
            partner, _("%s confirmed the appointment.", partner.display_name), origin
        )
        return True

    def _notify_manage_cancel(self, partner, reason="", origin=None):
        self.ensure_one()
        if not self._notify_manage_may("cancel"):
            return False
        self.action_notify_cancel()
        text = _("%s cancelled the appointment.", partner.display_name)
        if reason:
            text = _("%(text)s Reason: %(reason)s", text=text, reason=reason)
        self._notify_manage_note(partner, text, origin, notify_staff=True)
        if self.user_id:
            # A to-do in the organizer's activities: the freed time may be offered again.
            self.env["mail.activity"].create(
                {
                    "res_model_id": self.env["ir.model"]._get_id(self._name),
                    "res_id": self.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "user_id": self.user_id.id,
                    "summary": _("Cancelled by the customer"),
                    "note": Markup("<p>%s</p>") % text,
                    "date_deadline": fields.Date.context_today(self),
                }
            )
        return True

    def _notify_manage_reschedule(self, partner, start, origin=None):
        """Move to ``start`` through the booking engine (it re-checks the slot).

        Returns True, False (not allowed now) or raises BookingUnavailable
        with ``alternatives`` = the next free starts with the same staff.
        """
        self.ensure_one()
        if not self._notify_manage_may("reschedule"):
            return False
        old_when = self._notify_render_context(partner)["when"]
        try:
            # A refusal leaves nothing behind, not even the staff row lock.
            with self.env.cr.savepoint():
                self.notify_service_id._reschedule(self, start)
        except BookingUnavailable as error:
            error.alternatives = self._notify_manage_slots(start, limit=6)
            raise
        new_when = self._notify_render_context(partner)["when"]
        self._notify_manage_note(
            partner,
            _(
                "%(customer)s moved the appointment from %(old)s to %(new)s.",
                customer=partner.display_name,
                old=old_when,
                new=new_when,
            ),
            origin,
        )
        return True
