from datetime import timedelta

from markupsafe import Markup

from odoo import _, fields, models

from odoo.addons.appointment_notify_booking.models.appointment_notify_service import (
    BookingUnavailable,
)


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    _notify_manage_page = "appointment_notify_links.manage_page"

    def _notify_manage_enabled(self, partner):
        """Only bookings of a service: plain events have no policy to enforce."""
        return bool(self.notify_service_id) and super()._notify_manage_enabled(partner)

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

    def _notify_manage_note(self, partner, text, origin, notify_staff=False, via=None):
        body = Markup("<p>%s</p>") % text
        if via or origin:
            body += Markup("<p>%s</p>") % (via or _("Via the self-service link, from %s.", origin))
        staff_partner = self.user_id.partner_id if notify_staff else self.env["res.partner"]
        self.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=partner.id,
            partner_ids=staff_partner.ids,
        )

    def _notify_manage_confirm(self, partner, origin=None, via=None):
        """The customer confirms their attendance: their attendee accepts.

        Never the booking itself: an appointment awaiting confirmation waits for
        staff (the company's "Bookings need confirmation"), whatever the customer
        taps. Confirming twice changes nothing. ``via``: how, when not the link.
        """
        self.ensure_one()
        attendee = self.attendee_ids.filtered(lambda a: a.partner_id == partner)
        if not attendee or not self._notify_manage_may("confirm"):
            return False
        if attendee.state != "accepted":
            attendee.sudo().write({"state": "accepted"})
            self._notify_manage_note(
                partner, _("%s confirmed their attendance.", partner.display_name), origin, via=via
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
