from odoo import fields, models

# The shared vocabulary of the assistant (helpers: keep it, extend it, document it here).
#
# ``state``: where the conversation stands, i.e. what the last reply asked.
# ``data`` (JSON), all optional:
#   intent       "book" | "reschedule" | "cancel" | "list"
#   name         a new customer's name, before the partner exists
#   service_id   appointment.notify.service id
#   staff_id     resource.resource id, or None for "any"
#   day          "YYYY-MM-DD", in the service's time zone
#   start        "YYYY-MM-DD HH:MM:SS", naive UTC (Odoo's storage), the proposed slot
#   time         "HH:MM" in the service's time zone: a time the customer asked for
#                before the day (or the service) was known; checked once it is
#   part         "morning" | "afternoon" | "evening": narrows the next time list
#   event_id     calendar.event id the customer picked (reschedule, cancel)
#   options      [choice id, ...] offered in the last reply, in order: a reply "2"
#                means options[1] (the numbered text fallback)
#   fails        consecutive turns the assistant did not understand
#   lang         the customer's language code (en_US, tr_TR, nl_NL, it_IT, uk_UA)
#
# Choice ids (WhatsApp ButtonPayload / ListId, and the numbered fallback):
#   intent:book  intent:reschedule  intent:cancel  intent:list  intent:human
#   svc:<service id>   staff:<resource id>   staff:any   day:YYYY-MM-DD   day:more
#   slot:YYYY-MM-DDTHH:MM:SS (naive UTC)   appt:<event id>   yes   no
#   (day:more after a day list: the days after it; after a time list: the days again)
STATES = [
    ("idle", "Idle"),
    ("name", "Asked the name"),
    ("service", "Asked the service"),
    ("staff", "Asked the staff member"),
    ("day", "Asked the day"),
    ("time", "Asked the time"),
    ("confirm", "Asked to confirm"),
    ("pick_appointment", "Asked which appointment"),
    ("handoff", "With staff"),
]


class AppointmentNotifyAssistantSession(models.Model):
    """One WhatsApp conversation of the booking assistant: a customer number in a company.

    What the customer wrote is kept on ``appointment.notify.whatsapp.inbound``
    (``session_id``); what the assistant answered on ``appointment.notify.message``.
    """

    _name = "appointment.notify.assistant.session"
    _description = "WhatsApp booking assistant conversation"
    _order = "last_inbound_at desc, id desc"
    _rec_name = "phone"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", "Customer", ondelete="set null", index=True)
    phone = fields.Char("WhatsApp number", required=True, readonly=True, help="E.164")
    profile_name = fields.Char("WhatsApp name", readonly=True)
    lang = fields.Char("Language", help="Language code the assistant answers in.")
    state = fields.Selection(STATES, default="idle", required=True)
    data = fields.Json("Collected data")
    last_inbound_at = fields.Datetime("Last message", readonly=True)
    expires_at = fields.Datetime(
        "Forgets at", help="The collected data is dropped after this (idle time or 24-hour window)."
    )
    handoff_until = fields.Datetime(
        "With staff until", help="The assistant stays silent for this customer until then."
    )
    llm_history = fields.Json("Language model history")

    _company_phone_unique = models.Constraint(
        "UNIQUE (company_id, phone)", "One conversation per number and company."
    )

    def _cron_run(self):
        """Run the pending turns (built by the runner work)."""
        return True
