import logging

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.appointment_notify_sms.tools.twilio_client import OPT_OUT
from odoo.addons.appointment_notify_whatsapp.models.appointment_notify_whatsapp_inbound import (
    OPT_IN,
)

from .appointment_notify_assistant_session import answer_lang, is_choice, trigger_runners

_logger = logging.getLogger(__name__)


class AppointmentNotifyWhatsappInbound(models.Model):
    """With the assistant on, what a customer writes goes to their conversation.

    The webhook only records: the inbound row (claimed once per MessageSid), the
    conversation if it is new (an INSERT that never waits for a turn holding it)
    and a trigger of the runner cron. No provider or model call happens in the
    request: a request Odoo retries after a serialization failure would repeat it.
    """

    _inherit = "appointment.notify.whatsapp.inbound"

    kind = fields.Selection(selection_add=[("assistant", "Assistant")])
    session_id = fields.Many2one(
        "appointment.notify.assistant.session",
        "Conversation",
        ondelete="set null",
        readonly=True,
        index="btree_not_null",
    )
    assistant_choice = fields.Char(
        "Tapped choice", readonly=True, help="The ButtonPayload or ListId of an assistant option."
    )
    processed = fields.Boolean(
        "Answered", readonly=True, help="The assistant's runner has handled this message."
    )

    # The runner's claim reads only unanswered messages of conversations.
    _unprocessed_idx = models.Index("(session_id, id) WHERE processed IS NOT TRUE")

    @api.model
    def _process_twilio(self, companies, params):
        company = companies[:1]
        if not company.notify_assistant_enabled:
            return super()._process_twilio(companies, params)
        choice = (params.get("ButtonPayload") or params.get("ListId") or "").strip()
        choice = is_choice(choice) and choice
        if choice and not params.get("ButtonPayload"):
            # A list pick is a tap too: its title ("Cancel") is no STOP keyword.
            params = {**params, "ButtonPayload": choice}
        inbound = super(
            AppointmentNotifyWhatsappInbound,
            self.with_context(assistant_on=True, assistant_choice=choice),
        )._process_twilio(companies, params)
        if not inbound:
            return inbound
        if inbound.kind == "unknown":
            keyword = (inbound.body or "").upper()
            if keyword in OPT_OUT:
                inbound.kind = "opt_out"
            elif keyword in OPT_IN:
                inbound.kind = "opt_in"
            else:
                inbound._assistant_take()
        if inbound.kind in ("assistant", "opt_out", "opt_in"):
            inbound._assistant_attach(params.get("ProfileName"))
        return inbound

    def _handle_button(self, partners, companies, params):
        if self.env.context.get("assistant_choice"):
            self._assistant_take()
            return
        super()._handle_button(partners, companies, params)

    def _handle_text(self, partners):
        if self.env.context.get("assistant_on"):
            self._assistant_take()
            return
        super()._handle_text(partners)

    def _assistant_take(self):
        self.write(
            {"kind": "assistant", "assistant_choice": self.env.context.get("assistant_choice")}
        )

    def _assistant_attach(self, profile_name=None):
        """Link to the number's conversation (created if new) and wake the runner.

        ``ON CONFLICT DO NOTHING``, never an UPDATE: the runner may hold the row for
        seconds. Under REPEATABLE READ, a conversation a concurrent request created
        after this one started raises a serialization failure here, and Odoo
        retries the whole request (its MessageSid claim was rolled back with it).
        """
        self.ensure_one()
        number = self.from_number
        partner = self.partner_id
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO appointment_notify_assistant_session
                       (company_id, phone, partner_id, profile_name, lang, state,
                        opted_out, create_uid, write_uid, create_date, write_date)
                VALUES (%(company)s, %(phone)s, %(partner)s, %(profile)s, %(lang)s, 'idle',
                        FALSE, %(uid)s, %(uid)s,
                        NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
                ON CONFLICT (company_id, phone) DO NOTHING
                """,
                company=self.company_id.id,
                phone=number,
                partner=partner.id or None,
                profile=profile_name or None,
                lang=answer_lang(self.env, partner, number, self.company_id),
                uid=self.env.uid,
            )
        )
        self.env.cr.execute(
            SQL(
                "SELECT id FROM appointment_notify_assistant_session"
                " WHERE company_id = %s AND phone = %s",
                self.company_id.id,
                number,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            _logger.warning("WhatsApp assistant: no conversation for %s", number)
            return
        self.write({"session_id": row[0], "processed": False})
        trigger_runners(self.env)
