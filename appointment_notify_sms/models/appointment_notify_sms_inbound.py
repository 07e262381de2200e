import logging

from markupsafe import Markup

from odoo import api, fields, models

from ..tools import twilio_client

_logger = logging.getLogger(__name__)

INBOUND_PATH = "/appointment_notify_sms/inbound"

# Twilio's opt-out and opt-in keywords (kept importable here for the migration).
OPT_OUT = twilio_client.OPT_OUT
OPT_IN = twilio_client.OPT_IN


class AppointmentNotifySmsInbound(models.Model):
    """An SMS a customer sent us: what it did, processed once per MessageSid."""

    _name = "appointment.notify.sms.inbound"
    _inherit = ["appointment.notify.inbound.mixin"]
    _description = "SMS from a customer"
    _order = "id desc"
    _rec_name = "message_sid"

    partner_ids = fields.Many2many(
        "res.partner",
        "appointment_notify_sms_inbound_partner_rel",
        "inbound_id",
        "partner_id",
        string="Customers",
        readonly=True,
        help="The active contacts of the company with this number.",
    )
    kind = fields.Selection(
        [
            ("opt_out", "Opt-out"),
            ("opt_in", "Opt-in"),
            ("opt_in_ignored", "Opt-in without a previous opt-out"),
            ("text", "Text"),
            ("unknown", "Unknown number"),
        ],
        string="Outcome",
        readonly=True,
    )

    _message_sid_unique = models.Constraint(
        "UNIQUE (message_sid)", "A Twilio message is processed once."
    )

    @api.model
    def _process_twilio(self, companies, params):
        """Act on one inbound SMS webhook signed by ``companies``' account: once per MessageSid."""
        sid = params.get("MessageSid") or params.get("SmsMessageSid")
        if not sid:
            _logger.warning("Twilio inbound SMS without a MessageSid ignored")
            return self.browse()
        inbound = self._claim_sid(sid, companies[:1])
        if not inbound:
            _logger.info("SMS %s already processed", sid)
            return inbound
        Partner = self.env["res.partner"].sudo()
        raw_from = params.get("From") or ""
        number = Partner._notify_sms_sanitize(raw_from, companies[:1].country_id)
        partners = Partner._notify_sms_find_by_number(number, companies)
        body = (params.get("Body") or "").strip()
        inbound.write(
            {"partner_ids": [(6, 0, partners.ids)], "from_number": number or raw_from, "body": body}
        )
        keyword = body.upper()
        if keyword in OPT_OUT:
            inbound._handle_opt_out(partners, keyword, number)
        elif keyword in OPT_IN:
            inbound._handle_opt_in(partners, keyword)
        elif partners:
            inbound._post_notes(partners, self.env._("SMS from %s:", inbound.from_number))
            inbound.kind = "text"
        if not partners:
            _logger.info("Twilio inbound SMS from unknown number %s", raw_from)
            inbound.kind = inbound.kind or "unknown"
        return inbound

    def _handle_opt_out(self, partners, keyword, number):
        """Every contact with this number stops getting SMS; a valid number is blacklisted."""
        source = self.env._(
            "SMS reply %(keyword)s from %(number)s", keyword=keyword, number=self.from_number
        )
        partners._notify_sms_opt_out(source)
        if number:
            self.env["phone.blacklist"].sudo()._add([number])
        self.kind = "opt_out"
        if partners:
            self._post_notes(
                partners,
                self.env._(
                    "SMS reply %(keyword)s from %(number)s: SMS stopped for %(names)s.",
                    keyword=keyword,
                    number=self.from_number,
                    names=", ".join(partners.mapped("display_name")),
                ),
            )

    def _handle_opt_in(self, partners, keyword):
        """START/UNSTOP undoes a STOP; it never creates consent that was never given."""
        stopped = partners.filtered("notify_consent_sms_opted_out")
        if stopped:
            source = self.env._(
                "SMS reply %(keyword)s from %(number)s (after an opt-out)",
                keyword=keyword,
                number=self.from_number,
            )
            stopped._notify_sms_opt_in(source)
            self.env["phone.blacklist"].sudo()._remove([self.from_number])
            self.kind = "opt_in"
            text = self.env._(
                "SMS reply %(keyword)s from %(number)s: SMS consent restored for %(names)s.",
                keyword=keyword,
                number=self.from_number,
                names=", ".join(stopped.mapped("display_name")),
            )
        else:
            self.kind = "opt_in_ignored"
            text = self.env._(
                "SMS reply %(keyword)s from %(number)s: no SMS consent to restore (it was "
                "not removed by an opt-out), nothing changed.",
                keyword=keyword,
                number=self.from_number,
            )
        if partners:
            self._post_notes(partners, text)

    def _post_notes(self, partners, head):
        body = Markup("<p>%s</p>") % head
        if self.body:
            body += Markup("<p>%s</p>") % self.body
        for partner in partners:
            partner.message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                author_id=partner.id,
            )
