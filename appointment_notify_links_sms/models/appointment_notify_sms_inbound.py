from datetime import timedelta

from odoo import api, fields, models

# Replies that confirm: a digit survives every keyboard and language.
CONFIRM_REPLIES = {"1"}
# One help text per customer per hour: no ping-pong with an auto-responder.
HELP_REPLY_PAUSE = timedelta(hours=1)


class AppointmentNotifySmsInbound(models.Model):
    _inherit = "appointment.notify.sms.inbound"

    kind = fields.Selection(
        selection_add=[("confirm", "Attendance confirmed")], ondelete={"confirm": "set null"}
    )
    event_id = fields.Many2one("calendar.event", string="Appointment", readonly=True)
    help_message_id = fields.Many2one(
        "appointment.notify.message",
        string="Help text sent",
        readonly=True,
        help="The short 'Reply 1 to confirm' answer queued for this text, if any.",
    )

    @api.model
    def _process_twilio(self, companies, params):
        """'1' from a known customer confirms their next appointment; once per
        MessageSid (the parent claims it first) and without touching consent.
        Any other text gets a short help text, at most once per hour."""
        inbound = super()._process_twilio(companies, params)
        if inbound and inbound.kind == "text":
            if (inbound.body or "") in CONFIRM_REPLIES:
                inbound._confirm_next_appointment(companies)
            else:
                inbound._queue_help_text(companies)
        return inbound

    def _next_appointment(self, companies):
        """(event, customer): the next awaiting or confirmed appointment of the
        contacts with this number, in ``companies``; empty records if none."""
        self.ensure_one()
        events = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("partner_ids", "in", self.partner_ids.ids),
                    ("start", ">", fields.Datetime.now()),
                    ("booking_state", "in", ("awaiting", "confirmed")),
                ],
                order="start, id",
            )
        )
        event = events.filtered(lambda e: e._notify_company() in companies)[:1]
        return event, (event.partner_ids & self.partner_ids)[:1]

    def _confirm_next_appointment(self, companies):
        self.ensure_one()
        event, partner = self._next_appointment(companies)
        if not event:
            return False
        via = self.env._("By SMS reply from %s.", self.from_number)
        if event._notify_manage_confirm(partner, via=via):
            self.write({"kind": "confirm", "event_id": event.id})
            return True
        return False

    def _queue_help_text(self, companies):
        """Queue "Reply 1 to confirm ..., or use <link>" for the dispatcher.

        Nothing without an upcoming appointment, nor when this customer got a
        help text in the last hour. The webhook never calls Twilio itself.
        """
        self.ensure_one()
        event, partner = self._next_appointment(companies)
        if not event:
            return False
        Message = self.env["appointment.notify.message"].sudo()
        recent = Message.search_count(
            [
                ("partner_id", "=", partner.id),
                ("sms_reply", "=", "help"),
                ("create_date", ">", fields.Datetime.now() - HELP_REPLY_PAUSE),
            ],
            limit=1,
        )
        if recent:
            return False
        now = fields.Datetime.now()
        message = Message.create(
            {
                "company_id": event._notify_company().id,
                "res_model": event._name,
                "res_id": event.id,
                "record_name": event.display_name,
                "partner_id": partner.id,
                "channel": "sms",
                "destination": self.from_number,
                "occurrence": f"help:{self.message_sid}",
                "state": "scheduled",
                "scheduled_at": now,
                "next_attempt_at": now,
                "deadline_at": min(event.start, now + HELP_REPLY_PAUSE),
                "body": event._notify_sms_help_text(partner),
                "prerendered": True,
                "sms_reply": "help",
            }
        )
        self.write({"event_id": event.id, "help_message_id": message.id})
        return message
