from odoo import models

# Odoo's attendee e-mails that a company may keep for customers: the
# invitation and the "date updated" e-mails. Alarm reminders never are.
INVITATION_TEMPLATES = (
    "calendar.calendar_template_meeting_invitation",
    "calendar.calendar_template_meeting_changedate",
)


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def _notify_attendees(self, mail_template, notify_author=False, force_send=False):
        """Every attendee e-mail of calendar (invitation, date changed, alarm
        reminders) goes through here: customers hear from the rules instead."""
        silenced = self._notify_silenced_attendees(mail_template)
        return super(CalendarAttendee, self - silenced)._notify_attendees(
            mail_template, notify_author=notify_author, force_send=force_send
        )

    def _notify_silenced_attendees(self, mail_template):
        """The attendees the rules notify (customers) who must not get ``mail_template``."""
        invitations = {self.env.ref(x, raise_if_not_found=False) for x in INVITATION_TEMPLATES}
        is_invitation = bool(mail_template) and mail_template.id in {t.id for t in invitations if t}
        silenced = self.browse()
        for event, attendees in self.grouped("event_id").items():
            if is_invitation and event._notify_company().notify_calendar_invitations:
                continue
            customers = event._notify_customers()
            silenced |= attendees.filtered(lambda a, c=customers: a.partner_id in c)
        return silenced
